// The first wl_seat: pointer and keyboard events turned into JSON lines, with key symbols
// resolved through the compositor's keymap via xkbcommon.
#pragma once

#include <cstdint>
#include <memory>

#include <xkbcommon/xkbcommon.h>

#include "wl_ptr.hpp"

namespace rampart::test_client {

class Client;
class Window;

class Seat {
public:
    Seat(Client &client, wl_seat *seat);
    ~Seat();
    Seat(const Seat &) = delete;
    Seat &operator=(const Seat &) = delete;

    wl_seat *seat() const { return seat_.get(); }
    // Serial of the latest input event or enter; 0 if none yet (activation tokens).
    uint32_t last_serial() const { return last_serial_; }
    // Window holding keyboard focus, if it still exists.
    Window *focused_window() const;

private:
    // Number of the window owning `surface`, 0 if unknown (e.g. already destroyed).
    int window_number(wl_surface *surface, const char **kind = nullptr) const;

    static void handle_capabilities(void *data, wl_seat *seat, uint32_t caps);
    static void handle_name(void *data, wl_seat *seat, const char *name);

    static void pointer_enter(void *data, wl_pointer *pointer, uint32_t serial, wl_surface *surface,
                              wl_fixed_t x, wl_fixed_t y);
    static void pointer_leave(void *data, wl_pointer *pointer, uint32_t serial,
                              wl_surface *surface);
    static void pointer_motion(void *data, wl_pointer *pointer, uint32_t time, wl_fixed_t x,
                               wl_fixed_t y);
    static void pointer_button(void *data, wl_pointer *pointer, uint32_t serial, uint32_t time,
                               uint32_t button, uint32_t state);
    static void pointer_axis(void *data, wl_pointer *pointer, uint32_t time, uint32_t axis,
                             wl_fixed_t value);
    static void pointer_frame(void *data, wl_pointer *pointer);
    static void pointer_axis_source(void *data, wl_pointer *pointer, uint32_t source);
    static void pointer_axis_stop(void *data, wl_pointer *pointer, uint32_t time, uint32_t axis);
    static void pointer_axis_discrete(void *data, wl_pointer *pointer, uint32_t axis,
                                      int32_t discrete);
    static void pointer_axis_value120(void *data, wl_pointer *pointer, uint32_t axis,
                                      int32_t value120);

    static void keyboard_keymap(void *data, wl_keyboard *keyboard, uint32_t format, int32_t fd,
                                uint32_t size);
    static void keyboard_enter(void *data, wl_keyboard *keyboard, uint32_t serial,
                               wl_surface *surface, wl_array *keys);
    static void keyboard_leave(void *data, wl_keyboard *keyboard, uint32_t serial,
                               wl_surface *surface);
    static void keyboard_key(void *data, wl_keyboard *keyboard, uint32_t serial, uint32_t time,
                             uint32_t key, uint32_t state);
    static void keyboard_modifiers(void *data, wl_keyboard *keyboard, uint32_t serial,
                                   uint32_t depressed, uint32_t latched, uint32_t locked,
                                   uint32_t group);
    static void keyboard_repeat_info(void *data, wl_keyboard *keyboard, int32_t rate,
                                     int32_t delay);

    static const wl_seat_listener seat_listener_;
    static const wl_pointer_listener pointer_listener_;
    static const wl_keyboard_listener keyboard_listener_;

    struct XkbDeleter {
        void operator()(xkb_context *context) const { xkb_context_unref(context); }
        void operator()(xkb_keymap *keymap) const { xkb_keymap_unref(keymap); }
        void operator()(xkb_state *state) const { xkb_state_unref(state); }
    };

    Client &client_;
    wl_seat_ptr seat_;
    wl_pointer_ptr pointer_;
    wl_keyboard_ptr keyboard_;
    std::unique_ptr<xkb_context, XkbDeleter> xkb_context_;
    std::unique_ptr<xkb_keymap, XkbDeleter> keymap_;
    std::unique_ptr<xkb_state, XkbDeleter> xkb_state_;

    uint32_t last_serial_ = 0;
    // Focus by window number (0 = none) rather than wl_surface pointer: a closed window's
    // proxy address may be reused by a later one.
    int keyboard_window_ = 0;
    int pointer_window_ = 0;
};

} // namespace rampart::test_client
