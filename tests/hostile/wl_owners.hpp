// RAII owners for libwayland client proxies. Objects of the shell and core protocols send
// their destructor request; objects of the privileged protocols, which only live for one
// probe before the connection goes away, are merely forgotten client-side (their destructor
// requests differ by version, and the server frees them on disconnect anyway).
#pragma once

#include <memory>

#include <wayland-client.h>

#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace rampart::hostile {

// The generated destroy functions are `static inline`, so they are called from a functor
// rather than passed as template arguments (that would trip -Wsubobject-linkage).
#define RAMPART_HOSTILE_OWNER(type, destroy_fn)                                                    \
    struct type##_deleter {                                                                        \
        void operator()(type *proxy) const noexcept { destroy_fn(proxy); }                         \
    };                                                                                             \
    using type##_ptr = std::unique_ptr<type, type##_deleter>

RAMPART_HOSTILE_OWNER(wl_registry, wl_registry_destroy);
RAMPART_HOSTILE_OWNER(wl_compositor, wl_compositor_destroy);
RAMPART_HOSTILE_OWNER(wl_subcompositor, wl_subcompositor_destroy);
RAMPART_HOSTILE_OWNER(wl_shm, wl_shm_destroy);
RAMPART_HOSTILE_OWNER(wl_shm_pool, wl_shm_pool_destroy);
RAMPART_HOSTILE_OWNER(wl_buffer, wl_buffer_destroy);
RAMPART_HOSTILE_OWNER(wl_surface, wl_surface_destroy);
RAMPART_HOSTILE_OWNER(wl_subsurface, wl_subsurface_destroy);
RAMPART_HOSTILE_OWNER(wl_region, wl_region_destroy);
RAMPART_HOSTILE_OWNER(xdg_wm_base, xdg_wm_base_destroy);
RAMPART_HOSTILE_OWNER(xdg_surface, xdg_surface_destroy);
RAMPART_HOSTILE_OWNER(xdg_toplevel, xdg_toplevel_destroy);
RAMPART_HOSTILE_OWNER(xdg_popup, xdg_popup_destroy);
RAMPART_HOSTILE_OWNER(xdg_positioner, xdg_positioner_destroy);
RAMPART_HOSTILE_OWNER(zxdg_decoration_manager_v1, zxdg_decoration_manager_v1_destroy);
RAMPART_HOSTILE_OWNER(zxdg_toplevel_decoration_v1, zxdg_toplevel_decoration_v1_destroy);

#undef RAMPART_HOSTILE_OWNER

// Forgets the proxy client-side without sending anything.
template <typename T> struct proxy_forgetter {
    void operator()(T *proxy) const noexcept
    {
        wl_proxy_destroy(reinterpret_cast<wl_proxy *>(proxy));
    }
};
template <typename T> using forgotten_ptr = std::unique_ptr<T, proxy_forgetter<T>>;

// Input and output objects gained a `release` request in later versions; before that,
// destroying only drops the client-side proxy.
#define RAMPART_HOSTILE_RELEASER(type, release_since)                                              \
    struct type##_deleter {                                                                        \
        void operator()(type *proxy) const noexcept                                                \
        {                                                                                          \
            if (type##_get_version(proxy) >= release_since)                                        \
                type##_release(proxy);                                                             \
            else                                                                                   \
                type##_destroy(proxy);                                                             \
        }                                                                                          \
    };                                                                                             \
    using type##_ptr = std::unique_ptr<type, type##_deleter>

RAMPART_HOSTILE_RELEASER(wl_seat, WL_SEAT_RELEASE_SINCE_VERSION);
RAMPART_HOSTILE_RELEASER(wl_pointer, WL_POINTER_RELEASE_SINCE_VERSION);
RAMPART_HOSTILE_RELEASER(wl_keyboard, WL_KEYBOARD_RELEASE_SINCE_VERSION);
RAMPART_HOSTILE_RELEASER(wl_output, WL_OUTPUT_RELEASE_SINCE_VERSION);

#undef RAMPART_HOSTILE_RELEASER

struct wl_display_deleter {
    void operator()(wl_display *display) const noexcept { wl_display_disconnect(display); }
};
using wl_display_ptr = std::unique_ptr<wl_display, wl_display_deleter>;

} // namespace rampart::hostile
