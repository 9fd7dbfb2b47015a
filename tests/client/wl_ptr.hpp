// RAII owners for libwayland client proxies: std::unique_ptr with a deleter that sends the
// interface's destructor request, so objects are torn down in member-declaration order.
#pragma once

#include <memory>

#include <wayland-client.h>

#include "viewporter-client-protocol.h"
#include "xdg-activation-v1-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

// The generated destroy functions are `static inline`, so they are called from a functor
// rather than passed as template arguments (that would give the owning classes internal
// linkage and trip -Wsubobject-linkage).
#define RAMPART_WL_OWNER(type, destroy_fn)                                                         \
    struct type##_deleter {                                                                        \
        void operator()(type *proxy) const noexcept { destroy_fn(proxy); }                         \
    };                                                                                             \
    using type##_ptr = std::unique_ptr<type, type##_deleter>

RAMPART_WL_OWNER(wl_registry, wl_registry_destroy);
RAMPART_WL_OWNER(wl_compositor, wl_compositor_destroy);
RAMPART_WL_OWNER(wl_subcompositor, wl_subcompositor_destroy);
RAMPART_WL_OWNER(wl_shm, wl_shm_destroy);
RAMPART_WL_OWNER(wl_shm_pool, wl_shm_pool_destroy);
RAMPART_WL_OWNER(wl_buffer, wl_buffer_destroy);
RAMPART_WL_OWNER(wl_surface, wl_surface_destroy);
RAMPART_WL_OWNER(wl_subsurface, wl_subsurface_destroy);
RAMPART_WL_OWNER(wl_region, wl_region_destroy);
RAMPART_WL_OWNER(wl_callback, wl_callback_destroy);
RAMPART_WL_OWNER(xdg_wm_base, xdg_wm_base_destroy);
RAMPART_WL_OWNER(xdg_surface, xdg_surface_destroy);
RAMPART_WL_OWNER(xdg_toplevel, xdg_toplevel_destroy);
RAMPART_WL_OWNER(xdg_popup, xdg_popup_destroy);
RAMPART_WL_OWNER(xdg_positioner, xdg_positioner_destroy);
RAMPART_WL_OWNER(zxdg_decoration_manager_v1, zxdg_decoration_manager_v1_destroy);
RAMPART_WL_OWNER(zxdg_toplevel_decoration_v1, zxdg_toplevel_decoration_v1_destroy);
RAMPART_WL_OWNER(xdg_activation_v1, xdg_activation_v1_destroy);
RAMPART_WL_OWNER(xdg_activation_token_v1, xdg_activation_token_v1_destroy);

#undef RAMPART_WL_OWNER

// Input objects gained a proper `release` request in later versions; plain destroy on an
// old version only drops the client-side proxy.
struct wl_seat_deleter {
    void operator()(wl_seat *seat) const noexcept
    {
        if (wl_seat_get_version(seat) >= WL_SEAT_RELEASE_SINCE_VERSION)
            wl_seat_release(seat);
        else
            wl_seat_destroy(seat);
    }
};
using wl_seat_ptr = std::unique_ptr<wl_seat, wl_seat_deleter>;

struct wl_pointer_deleter {
    void operator()(wl_pointer *pointer) const noexcept
    {
        if (wl_pointer_get_version(pointer) >= WL_POINTER_RELEASE_SINCE_VERSION)
            wl_pointer_release(pointer);
        else
            wl_pointer_destroy(pointer);
    }
};
using wl_pointer_ptr = std::unique_ptr<wl_pointer, wl_pointer_deleter>;

struct wl_keyboard_deleter {
    void operator()(wl_keyboard *keyboard) const noexcept
    {
        if (wl_keyboard_get_version(keyboard) >= WL_KEYBOARD_RELEASE_SINCE_VERSION)
            wl_keyboard_release(keyboard);
        else
            wl_keyboard_destroy(keyboard);
    }
};
using wl_keyboard_ptr = std::unique_ptr<wl_keyboard, wl_keyboard_deleter>;

struct wl_display_deleter {
    void operator()(wl_display *display) const noexcept { wl_display_disconnect(display); }
};
using wl_display_ptr = std::unique_ptr<wl_display, wl_display_deleter>;
