// Input handling: devices, the cursor, pointer focus and the interactive move/resize grabs.
// Keyboards live in keyboard.cpp; what actions do lives in the Server.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace rampart {

class Server;
class View;
class Keyboard;

class InputManager {
public:
    explicit InputManager(Server &server);
    ~InputManager();
    InputManager(const InputManager &) = delete;
    InputManager &operator=(const InputManager &) = delete;

    void apply_config(); // keymaps, repeat, pointer settings, cursor theme
    double cursor_x() const { return cursor->x; }
    double cursor_y() const { return cursor->y; }
    void warp_cursor(double lx, double ly);

    void begin_move(View *view);
    void begin_resize(View *view, uint32_t edges);
    // During a resize from the left/top, where the frame must go now that the client
    // committed its new size. Returns true and sets x/y if `view` is being resized.
    bool pending_resize_of(View *view, int *x, int *y) const;
    void view_gone(View *view);
    // Re-sends pointer focus after the scene changed under a still cursor.
    void refresh_pointer_focus();
    void keyboard_focus_changed(View *view);
    // The lock screen engaged: no grab, no client focus, and keys and buttons held now never
    // reach a client, not even their releases after the unlock.
    void lock_engaged();
    // Unlocked: focus goes back to the focused window (without the keys held now).
    void lock_released();
    // Input from a real device (not a trusted client's virtual keyboard): the idle timer.
    void note_activity();
    uint32_t modifiers() const;
    // Whether the cursor image is a client's surface (kept off the panel when drawn).
    bool client_cursor() const { return client_cursor_; }
    // The largest cursor surface a client may set, in logical pixels.
    static constexpr int max_client_cursor = 128;

    Server &server;
    wlr_cursor *cursor = nullptr;
    wlr_xcursor_manager *xcursor_manager = nullptr;
    std::vector<std::unique_ptr<Keyboard>> keyboards;

private:
    void add_device(wlr_input_device *device);
    void configure_pointer(wlr_input_device *device);
    void update_capabilities();
    void handle_motion(uint32_t time_msec);
    void handle_button(wlr_event_pointer_button *event);
    void set_cursor_image(const char *name);
    void ensure_cursor_theme();

    enum class Mode { passthrough, move, resize };
    struct Grab {
        Mode mode = Mode::passthrough;
        View *view = nullptr;
        double start_cursor_x = 0, start_cursor_y = 0;
        wm::Box start_outer;
        uint32_t edges = 0;
        wm::Box wanted_outer; // resize target; position follows the client's new size
    } grab_;
    std::vector<wlr_input_device *> pointers_;
    const char *cursor_image_ = nullptr;
    bool overview_click_ = false;
    bool panel_list_click_ = false;
    bool client_cursor_ = false;
    std::vector<uint32_t> buttons_held_at_lock_; // their releases go nowhere

    wlr_virtual_keyboard_manager_v1 *virtual_keyboards_ = nullptr; // trusted clients only
    Listener new_virtual_keyboard_;
    Listener new_input_, motion_, motion_absolute_, button_, axis_, frame_, request_cursor_,
        request_selection_, request_primary_selection_;
    std::vector<std::unique_ptr<Listener>> pointer_destroy_;
};

} // namespace rampart
