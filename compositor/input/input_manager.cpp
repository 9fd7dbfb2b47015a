#include "input/input_manager.hpp"

#include "input/keyboard.hpp"
#include "lock/lock_screen.hpp"
#include "output.hpp"
#include "overview.hpp"
#include "panel_list.hpp"
#include "scene_tag.hpp"
#include "server.hpp"
#include "util/log.hpp"
#include "view.hpp"

#include <algorithm>

namespace rampart {

namespace {
constexpr int resize_band = 8;  // px of the frame edge that starts a resize
constexpr int min_content = 64; // smallest content an interactive resize makes

const char *cursor_for_edges(uint32_t edges)
{
    using wm::Edge;
    switch (edges) {
    case Edge::top: return "top_side";
    case Edge::bottom: return "bottom_side";
    case Edge::left: return "left_side";
    case Edge::right: return "right_side";
    case Edge::top | Edge::left: return "top_left_corner";
    case Edge::top | Edge::right: return "top_right_corner";
    case Edge::bottom | Edge::left: return "bottom_left_corner";
    case Edge::bottom | Edge::right: return "bottom_right_corner";
    default: return "left_ptr";
    }
}
} // namespace

InputManager::InputManager(Server &server_) : server(server_)
{
    cursor = wlr_cursor_create();
    wlr_cursor_attach_output_layout(cursor, server.output_layout);

    new_input_.connect(&server.backend->events.new_input,
                       [this](void *data) { add_device(static_cast<wlr_input_device *>(data)); });
    motion_.connect(&cursor->events.motion, [this](void *data) {
        auto *event = static_cast<wlr_event_pointer_motion *>(data);
        wlr_cursor_move(cursor, event->device, event->delta_x, event->delta_y);
        handle_motion(event->time_msec);
    });
    motion_absolute_.connect(&cursor->events.motion_absolute, [this](void *data) {
        auto *event = static_cast<wlr_event_pointer_motion_absolute *>(data);
        wlr_cursor_warp_absolute(cursor, event->device, event->x, event->y);
        handle_motion(event->time_msec);
    });
    button_.connect(&cursor->events.button, [this](void *data) {
        handle_button(static_cast<wlr_event_pointer_button *>(data));
    });
    axis_.connect(&cursor->events.axis, [this](void *data) {
        auto *event = static_cast<wlr_event_pointer_axis *>(data);
        note_activity();
        if (server.locked())
            return; // nothing scrolls behind the lock screen
        if (server.overview->mode() == Overview::Mode::interactive)
            return; // no client scrolls while the overview is open
        for (auto &keyboard : keyboards)
            keyboard->flush_held_keys();
        wlr_seat_pointer_notify_axis(server.seat, event->time_msec, event->orientation,
                                     event->delta, event->delta_discrete, event->source);
    });
    frame_.connect(&cursor->events.frame,
                   [this](void *) { wlr_seat_pointer_notify_frame(server.seat); });
    request_cursor_.connect(&server.seat->events.request_set_cursor, [this](void *data) {
        auto *event = static_cast<wlr_seat_pointer_request_set_cursor_event *>(data);
        // Only the client with pointer focus may set the cursor image.
        // A client cursor is small: a large one could paint a fake panel or frame.
        bool small = !event->surface || (event->surface->current.width <= max_client_cursor &&
                                         event->surface->current.height <= max_client_cursor);
        if (event->seat_client == server.seat->pointer_state.focused_client &&
            grab_.mode == Mode::passthrough && small) {
            wlr_cursor_set_surface(cursor, event->surface, event->hotspot_x, event->hotspot_y);
            cursor_image_ = nullptr;
            client_cursor_ = event->surface != nullptr;
        }
    });
    request_selection_.connect(&server.seat->events.request_set_selection, [this](void *data) {
        auto *event = static_cast<wlr_seat_request_set_selection_event *>(data);
        wlr_seat_set_selection(server.seat, event->source, event->serial);
    });
    request_primary_selection_.connect(
        &server.seat->events.request_set_primary_selection, [this](void *data) {
            auto *event = static_cast<wlr_seat_request_set_primary_selection_event *>(data);
            wlr_seat_set_primary_selection(server.seat, event->source, event->serial);
        });
    // Only trusted clients can bind this (protocol policy): wtype in tests, Rampart's tools.
    // Without a trusted socket it does not exist at all.
    if (server.trusted_socket_configured()) {
        virtual_keyboards_ = wlr_virtual_keyboard_manager_v1_create(server.display);
        new_virtual_keyboard_.connect(
            &virtual_keyboards_->events.new_virtual_keyboard, [this](void *data) {
                auto *keyboard = static_cast<wlr_virtual_keyboard_v1 *>(data);
                add_device(&keyboard->input_device);
            });
    }
    apply_config();
}

InputManager::~InputManager()
{
    keyboards.clear();
    pointer_destroy_.clear();
    new_virtual_keyboard_.disconnect();
    new_input_.disconnect();
    motion_.disconnect();
    motion_absolute_.disconnect();
    button_.disconnect();
    axis_.disconnect();
    frame_.disconnect();
    request_cursor_.disconnect();
    request_selection_.disconnect();
    request_primary_selection_.disconnect();
    if (xcursor_manager)
        wlr_xcursor_manager_destroy(xcursor_manager);
    wlr_cursor_destroy(cursor);
}

void InputManager::apply_config()
{
    const config::Config &config = server.config;
    for (auto &keyboard : keyboards)
        keyboard->apply_config(config);
    for (wlr_input_device *pointer : pointers_)
        configure_pointer(pointer);

    if (xcursor_manager)
        wlr_xcursor_manager_destroy(xcursor_manager);
    xcursor_manager = nullptr;
    cursor_image_ = nullptr;
    // Loading a theme reads every cursor in it (tens of ms): only do it once there is a
    // pointer to show, so start-up to the first frame does not wait for it.
    if (!pointers_.empty())
        set_cursor_image("left_ptr");
}

void InputManager::ensure_cursor_theme()
{
    if (xcursor_manager)
        return;
    const config::CursorConfig &cursor_config = server.config.cursor;
    xcursor_manager = wlr_xcursor_manager_create(
        cursor_config.theme.empty() ? nullptr : cursor_config.theme.c_str(),
        static_cast<uint32_t>(cursor_config.size));
    for (auto &output : server.outputs)
        wlr_xcursor_manager_load(xcursor_manager, output->wlr->scale);
    wlr_xcursor_manager_load(xcursor_manager, 1);
}

void InputManager::add_device(wlr_input_device *device)
{
    switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
        keyboards.push_back(std::make_unique<Keyboard>(*this, device));
        break;
    case WLR_INPUT_DEVICE_POINTER: {
        wlr_cursor_attach_input_device(cursor, device);
        pointers_.push_back(device);
        configure_pointer(device);
        set_cursor_image("left_ptr");
        auto destroy = std::make_unique<Listener>();
        Listener *raw = destroy.get();
        destroy->connect(&device->events.destroy, [this, device, raw](void *) {
            std::erase(pointers_, device);
            std::erase_if(pointer_destroy_, [raw](auto &l) { return l.get() == raw; });
            update_capabilities();
        });
        pointer_destroy_.push_back(std::move(destroy));
        break;
    }
    default: break; // touch, tablets, switches: not handled yet
    }
    update_capabilities();
    log::info("input device added: %s", device->name ? device->name : "(unnamed)");
}

void InputManager::update_capabilities()
{
    uint32_t caps = 0;
    if (!pointers_.empty())
        caps |= WL_SEAT_CAPABILITY_POINTER;
    if (!keyboards.empty())
        caps |= WL_SEAT_CAPABILITY_KEYBOARD;
    wlr_seat_set_capabilities(server.seat, caps);
}

void InputManager::configure_pointer(wlr_input_device *device)
{
    if (!wlr_input_device_is_libinput(device))
        return;
    libinput_device *handle = wlr_libinput_get_device_handle(device);
    const config::PointerConfig &pointer = server.config.pointer;
    if (libinput_device_config_accel_is_available(handle))
        libinput_device_config_accel_set_speed(handle, pointer.acceleration);
    if (libinput_device_config_scroll_has_natural_scroll(handle))
        libinput_device_config_scroll_set_natural_scroll_enabled(handle, pointer.natural_scroll);
    if (libinput_device_config_tap_get_finger_count(handle) > 0)
        libinput_device_config_tap_set_enabled(handle, pointer.tap_to_click
                                                           ? LIBINPUT_CONFIG_TAP_ENABLED
                                                           : LIBINPUT_CONFIG_TAP_DISABLED);
}

void InputManager::warp_cursor(double lx, double ly)
{
    wlr_cursor_warp(cursor, nullptr, lx, ly);
    handle_motion(0);
}

uint32_t InputManager::modifiers() const
{
    wlr_keyboard *keyboard = wlr_seat_get_keyboard(server.seat);
    return keyboard ? wlr_keyboard_get_modifiers(keyboard) : 0;
}

void InputManager::set_cursor_image(const char *name)
{
    if (cursor_image_ == name || pointers_.empty())
        return;
    ensure_cursor_theme();
    cursor_image_ = name;
    client_cursor_ = false;
    wlr_xcursor_manager_set_cursor_image(xcursor_manager, name, cursor);
}

void InputManager::begin_move(View *view)
{
    grab_ = {Mode::move, view, cursor->x, cursor->y, view->outer_box(), 0, view->outer_box()};
    set_cursor_image("grabbing");
}

void InputManager::begin_resize(View *view, uint32_t edges)
{
    if (view->fullscreen() || view->maximized() || edges == 0)
        return;
    grab_ = {Mode::resize, view, cursor->x, cursor->y, view->outer_box(), edges, view->outer_box()};
    set_cursor_image(cursor_for_edges(edges));
}

bool InputManager::pending_resize_of(View *view, int *x, int *y) const
{
    if (grab_.mode != Mode::resize || grab_.view != view)
        return false;
    wm::Box outer = view->outer_box();
    const wm::Box &wanted = grab_.wanted_outer;
    *x = (grab_.edges & wm::Edge::left) ? wanted.x + wanted.width - outer.width : wanted.x;
    *y = (grab_.edges & wm::Edge::top) ? wanted.y + wanted.height - outer.height : wanted.y;
    return true;
}

void InputManager::view_gone(View *view)
{
    if (grab_.view == view)
        grab_ = {};
}

void InputManager::note_activity()
{
    if (server.lock_screen)
        server.lock_screen->note_activity();
}

void InputManager::lock_engaged()
{
    grab_ = {};
    overview_click_ = panel_list_click_ = false;
    buttons_held_at_lock_.clear();
    for (std::size_t i = 0; i < server.seat->pointer_state.button_count; ++i)
        buttons_held_at_lock_.push_back(server.seat->pointer_state.buttons[i]);
    // A client's popup grab would keep its keyboard focus through the lock (the xdg-popup
    // grab ignores clear_focus): end every grab (its popups get popup_done), then clear.
    wlr_seat_pointer_end_grab(server.seat);
    wlr_seat_keyboard_end_grab(server.seat);
    wlr_seat_touch_end_grab(server.seat);
    wlr_seat_pointer_clear_focus(server.seat);
    wlr_seat_keyboard_clear_focus(server.seat);
    // Buttons held now are released in the seat (nobody has focus, so no client hears it):
    // the seat forgets the press, so its serial cannot start a move or resize later.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint32_t msec = static_cast<uint32_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000);
    for (uint32_t button : buttons_held_at_lock_)
        wlr_seat_pointer_notify_button(server.seat, msec, button, WLR_BUTTON_RELEASED);
    for (auto &keyboard : keyboards)
        keyboard->consume_held_keys();
    client_cursor_ = false;
    cursor_image_ = nullptr;
    set_cursor_image("left_ptr");
}

void InputManager::lock_released()
{
    for (auto &keyboard : keyboards)
        keyboard->consume_held_keys(); // e.g. the Enter that unlocked
    keyboard_focus_changed(server.focused_view());
    refresh_pointer_focus();
}

void InputManager::handle_motion(uint32_t time_msec)
{
    if (time_msec != 0)
        note_activity();
    if (server.locked()) {
        wlr_seat_pointer_clear_focus(server.seat);
        set_cursor_image("left_ptr");
        return;
    }
    int dx = static_cast<int>(cursor->x - grab_.start_cursor_x);
    int dy = static_cast<int>(cursor->y - grab_.start_cursor_y);
    if (grab_.mode == Mode::move) {
        Output *output = server.output_at(cursor->x, cursor->y);
        wm::Box moved = grab_.start_outer;
        moved.x += dx;
        moved.y += dy;
        if (output)
            moved =
                wm::keep_reachable(moved, output->usable_box(), grab_.view->frame_extents().top());
        grab_.view->move_to(moved.x, moved.y);
        return;
    }
    if (grab_.mode == Mode::resize) {
        wm::FrameExtents extents = grab_.view->frame_extents();
        wm::Box wanted = wm::resize_box(grab_.start_outer, grab_.edges, dx, dy,
                                        {min_content + extents.left() + extents.right(),
                                         min_content + extents.top() + extents.bottom()});
        grab_.wanted_outer = wanted;
        wm::Box content = wm::content_from_outer(wanted, extents);
        grab_.view->request_content_size(content.width, content.height);
        return;
    }

    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    View *view = server.view_at(cursor->x, cursor->y, &surface, &sx, &sy);
    if (server.overview->mode() == Overview::Mode::interactive)
        surface = nullptr; // no client sees the pointer while the overview is open
    if (surface) {
        wlr_seat_pointer_notify_enter(server.seat, surface, sx, sy);
        wlr_seat_pointer_notify_motion(server.seat, time_msec, sx, sy);
        return;
    }
    wlr_seat_pointer_clear_focus(server.seat);
    unsigned edges = view ? wm::edges_at(view->outer_box(), static_cast<int>(cursor->x),
                                         static_cast<int>(cursor->y), resize_band)
                          : 0u;
    set_cursor_image(cursor_for_edges(edges & ~(view && view->fullscreen() ? 15u : 0u)));
}

void InputManager::refresh_pointer_focus()
{
    if (grab_.mode == Mode::passthrough)
        handle_motion(0);
}

void InputManager::keyboard_focus_changed(View *view)
{
    wlr_keyboard *keyboard = wlr_seat_get_keyboard(server.seat);
    // While the interactive overview is open or the screen is locked, no client has the
    // keyboard, whatever happens.
    if (!view || server.locked() ||
        (server.overview && server.overview->mode() == Overview::Mode::interactive)) {
        if (server.locked())
            wlr_seat_keyboard_clear_focus(server.seat); // not through a client's grab
        else
            wlr_seat_keyboard_notify_clear_focus(server.seat);
        return;
    }
    std::vector<uint32_t> keys;
    wlr_keyboard_modifiers modifiers{};
    bool found = false;
    for (auto &candidate : keyboards)
        if (candidate->wlr == keyboard) {
            keys = candidate->keys_for_clients();
            modifiers = candidate->modifiers_for_clients();
            found = true;
        }
    wlr_seat_keyboard_notify_enter(server.seat, view->surface(), keys.data(), keys.size(),
                                   found ? &modifiers : nullptr);
}

void InputManager::handle_button(wlr_event_pointer_button *event)
{
    // Ctrl+click needs its Ctrl: deliver any modifier presses held back for the SAK.
    for (auto &keyboard : keyboards)
        keyboard->flush_held_keys();
    bool pressed = event->state == WLR_BUTTON_PRESSED;
    note_activity();
    if (server.locked()) {
        // No click reaches a client behind the lock; a button still held at the unlock is
        // remembered so its release does not reach one either.
        auto held =
            std::find(buttons_held_at_lock_.begin(), buttons_held_at_lock_.end(), event->button);
        if (pressed && held == buttons_held_at_lock_.end())
            buttons_held_at_lock_.push_back(event->button);
        else if (!pressed && held != buttons_held_at_lock_.end())
            buttons_held_at_lock_.erase(held);
        return;
    }
    if (!pressed) {
        auto held =
            std::find(buttons_held_at_lock_.begin(), buttons_held_at_lock_.end(), event->button);
        if (held != buttons_held_at_lock_.end()) {
            buttons_held_at_lock_.erase(held);
            return;
        }
    }
    // The interactive overview takes the click; its release goes nowhere either.
    if (pressed && server.overview->mode() == Overview::Mode::interactive) {
        overview_click_ = true;
        server.overview->handle_click(cursor->x, cursor->y);
        return;
    }
    if (!pressed && overview_click_) {
        overview_click_ = false;
        return;
    }
    // An open "+N" list takes the next click, wherever it is.
    if (server.panel_list->is_open()) {
        if (pressed) {
            panel_list_click_ = true;
            server.panel_list->click(cursor->x, cursor->y);
        }
        return;
    }
    if (!pressed && panel_list_click_) {
        panel_list_click_ = false;
        return;
    }
    // The panel is Rampart's: its clicks never reach a client.
    if (Output *output = server.output_at(cursor->x, cursor->y);
        output && output->panel &&
        output->panel_box().contains(static_cast<int>(cursor->x), static_cast<int>(cursor->y))) {
        if (pressed)
            server.panel_clicked(output->panel->hit(cursor->x, cursor->y), event->button,
                                 output->panel->entry_box(cursor->x, cursor->y));
        return;
    }
    if (!pressed && grab_.mode != Mode::passthrough) {
        grab_ = {};
        cursor_image_ = nullptr;
        handle_motion(event->time_msec);
        return; // the press started a grab, so the client never saw it
    }

    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    View *view = server.view_at(cursor->x, cursor->y, &surface, &sx, &sy);
    if (pressed && view) {
        server.focus_view(view);
        bool super_held = modifiers() & WLR_MODIFIER_LOGO;
        if (super_held && event->button == BTN_LEFT) {
            begin_move(view);
            return;
        }
        if (super_held && event->button == BTN_RIGHT) {
            wm::Box outer = view->outer_box();
            uint32_t edges =
                (cursor->x < outer.x + outer.width / 2.0 ? wm::Edge::left : wm::Edge::right) |
                (cursor->y < outer.y + outer.height / 2.0 ? wm::Edge::top : wm::Edge::bottom);
            begin_resize(view, edges);
            return;
        }
        if (!surface) {
            // A press on the frame: close button, edge resize, or title-bar move.
            wm::Box outer = view->outer_box();
            int fx = static_cast<int>(cursor->x) - outer.x,
                fy = static_cast<int>(cursor->y) - outer.y;
            wm::Box close = view->frame->close_button();
            if (event->button == BTN_LEFT && !close.empty() && close.contains(fx, fy)) {
                view->close();
                return;
            }
            unsigned edges = view->fullscreen()
                                 ? 0u
                                 : wm::edges_at(outer, static_cast<int>(cursor->x),
                                                static_cast<int>(cursor->y), resize_band);
            if (event->button == BTN_LEFT && edges)
                begin_resize(view, edges);
            else if (event->button == BTN_LEFT && !view->fullscreen())
                begin_move(view);
            return;
        }
    }
    if (surface || !pressed)
        wlr_seat_pointer_notify_button(server.seat, event->time_msec, event->button, event->state);
}

} // namespace rampart
