#include "seat.hpp"

#include <cstring>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "client.hpp"
#include "window.hpp"

namespace rampart::test_client {

const wl_seat_listener Seat::seat_listener_ = {
    .capabilities = &Seat::handle_capabilities,
    .name = &Seat::handle_name,
};

const wl_pointer_listener Seat::pointer_listener_ = {
    .enter = &Seat::pointer_enter,
    .leave = &Seat::pointer_leave,
    .motion = &Seat::pointer_motion,
    .button = &Seat::pointer_button,
    .axis = &Seat::pointer_axis,
    .frame = &Seat::pointer_frame,
    .axis_source = &Seat::pointer_axis_source,
    .axis_stop = &Seat::pointer_axis_stop,
    .axis_discrete = &Seat::pointer_axis_discrete,
    .axis_value120 = &Seat::pointer_axis_value120,
};

const wl_keyboard_listener Seat::keyboard_listener_ = {
    .keymap = &Seat::keyboard_keymap,
    .enter = &Seat::keyboard_enter,
    .leave = &Seat::keyboard_leave,
    .key = &Seat::keyboard_key,
    .modifiers = &Seat::keyboard_modifiers,
    .repeat_info = &Seat::keyboard_repeat_info,
};

Seat::Seat(Client &client, wl_seat *seat)
    : client_(client), seat_(seat), xkb_context_(xkb_context_new(XKB_CONTEXT_NO_FLAGS))
{
    wl_seat_add_listener(seat_.get(), &seat_listener_, this);
}

Seat::~Seat() = default;

int Seat::window_number(wl_surface *surface, const char **kind) const
{
    Client::SurfaceOwner owner = client_.find_surface(surface);
    if (kind)
        *kind = owner.window ? surface_kind_name(owner.kind) : "unknown";
    return owner.window ? owner.window->index() : 0;
}

Window *Seat::focused_window() const
{
    return client_.find_window(keyboard_window_);
}

namespace {

// JSON "window" field: the number, or null when the surface is not (or no longer) ours.
JsonLine &window_field(JsonLine &line, int number)
{
    return number ? line.num("window", number) : line.null("window");
}

} // namespace

void Seat::handle_capabilities(void *data, wl_seat *, uint32_t caps)
{
    auto *self = static_cast<Seat *>(data);
    bool has_pointer = caps & WL_SEAT_CAPABILITY_POINTER;
    bool has_keyboard = caps & WL_SEAT_CAPABILITY_KEYBOARD;
    if (has_pointer && !self->pointer_) {
        self->pointer_.reset(wl_seat_get_pointer(self->seat_.get()));
        wl_pointer_add_listener(self->pointer_.get(), &pointer_listener_, self);
    } else if (!has_pointer && self->pointer_) {
        self->pointer_.reset();
    }
    if (has_keyboard && !self->keyboard_) {
        self->keyboard_.reset(wl_seat_get_keyboard(self->seat_.get()));
        wl_keyboard_add_listener(self->keyboard_.get(), &keyboard_listener_, self);
    } else if (!has_keyboard && self->keyboard_) {
        self->keyboard_.reset();
    }
    self->client_.log(JsonLine("seat")
                          .num("pointer", has_pointer)
                          .num("keyboard", has_keyboard)
                          .num("touch", (caps & WL_SEAT_CAPABILITY_TOUCH) != 0));
}

void Seat::handle_name(void *, wl_seat *, const char *) {}

void Seat::pointer_enter(void *data, wl_pointer *, uint32_t serial, wl_surface *surface,
                         wl_fixed_t x, wl_fixed_t y)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    const char *kind = nullptr;
    self->pointer_window_ = self->window_number(surface, &kind);
    JsonLine line("pointer_enter");
    window_field(line, self->pointer_window_)
        .str("surface", kind)
        .real("x", wl_fixed_to_double(x))
        .real("y", wl_fixed_to_double(y));
    self->client_.log(line);
}

void Seat::pointer_leave(void *data, wl_pointer *, uint32_t serial, wl_surface *surface)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    const char *kind = nullptr;
    JsonLine line("pointer_leave");
    window_field(line, self->window_number(surface, &kind)).str("surface", kind);
    self->pointer_window_ = 0;
    self->client_.log(line);
}

void Seat::pointer_motion(void *data, wl_pointer *, uint32_t time, wl_fixed_t x, wl_fixed_t y)
{
    auto *self = static_cast<Seat *>(data);
    JsonLine line("motion");
    window_field(line, self->pointer_window_)
        .real("x", wl_fixed_to_double(x))
        .real("y", wl_fixed_to_double(y))
        .num("time", time);
    self->client_.log(line);
}

void Seat::pointer_button(void *data, wl_pointer *, uint32_t serial, uint32_t time, uint32_t button,
                          uint32_t state)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    JsonLine line("button");
    window_field(line, self->pointer_window_)
        .num("button", button)
        .str("state", state == WL_POINTER_BUTTON_STATE_PRESSED ? "pressed" : "released")
        .num("time", time);
    self->client_.log(line);
}

void Seat::pointer_axis(void *data, wl_pointer *, uint32_t time, uint32_t axis, wl_fixed_t value)
{
    auto *self = static_cast<Seat *>(data);
    JsonLine line("axis");
    window_field(line, self->pointer_window_)
        .str("axis", axis == WL_POINTER_AXIS_VERTICAL_SCROLL ? "vertical" : "horizontal")
        .real("value", wl_fixed_to_double(value))
        .num("time", time);
    self->client_.log(line);
}

// Frame grouping, axis source/stop and discrete steps add nothing the tests look at.
void Seat::pointer_frame(void *, wl_pointer *) {}
void Seat::pointer_axis_source(void *, wl_pointer *, uint32_t) {}
void Seat::pointer_axis_stop(void *, wl_pointer *, uint32_t, uint32_t) {}
void Seat::pointer_axis_discrete(void *, wl_pointer *, uint32_t, int32_t) {}
void Seat::pointer_axis_value120(void *, wl_pointer *, uint32_t, int32_t) {}

void Seat::keyboard_keymap(void *data, wl_keyboard *, uint32_t format, int32_t fd, uint32_t size)
{
    auto *self = static_cast<Seat *>(data);
    self->xkb_state_.reset();
    self->keymap_.reset();
    if (format == WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 && self->xkb_context_) {
        // MAP_PRIVATE: from wl_seat v7 the compositor may hand out a read-only shared fd.
        void *text = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (text != MAP_FAILED) {
            const auto *chars = static_cast<const char *>(text);
            self->keymap_.reset(
                xkb_keymap_new_from_buffer(self->xkb_context_.get(), chars, strnlen(chars, size),
                                           XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS));
            munmap(text, size);
        }
        if (self->keymap_)
            self->xkb_state_.reset(xkb_state_new(self->keymap_.get()));
    }
    close(fd);
    self->client_.log(JsonLine("keymap").num("ok", self->xkb_state_ != nullptr));
}

void Seat::keyboard_enter(void *data, wl_keyboard *, uint32_t serial, wl_surface *surface,
                          wl_array *)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    const char *kind = nullptr;
    self->keyboard_window_ = self->window_number(surface, &kind);
    JsonLine line("keyboard_enter");
    window_field(line, self->keyboard_window_).str("surface", kind);
    self->client_.log(line);
}

void Seat::keyboard_leave(void *data, wl_keyboard *, uint32_t serial, wl_surface *surface)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    const char *kind = nullptr;
    JsonLine line("keyboard_leave");
    window_field(line, self->window_number(surface, &kind)).str("surface", kind);
    self->keyboard_window_ = 0;
    self->client_.log(line);
}

void Seat::keyboard_key(void *data, wl_keyboard *, uint32_t serial, uint32_t time, uint32_t key,
                        uint32_t state)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    std::string sym_name;
    if (self->xkb_state_) {
        // Wayland sends evdev codes; XKB keycodes are offset by 8.
        xkb_keysym_t sym = xkb_state_key_get_one_sym(self->xkb_state_.get(), key + 8);
        char buf[64];
        if (sym != XKB_KEY_NoSymbol && xkb_keysym_get_name(sym, buf, sizeof buf) > 0)
            sym_name = buf;
    }
    JsonLine line("key");
    window_field(line, self->keyboard_window_)
        .num("key", key)
        .str("sym", sym_name)
        .str("state", state == WL_KEYBOARD_KEY_STATE_PRESSED ? "pressed" : "released")
        .num("time", time);
    self->client_.log(line);
}

void Seat::keyboard_modifiers(void *data, wl_keyboard *, uint32_t serial, uint32_t depressed,
                              uint32_t latched, uint32_t locked, uint32_t group)
{
    auto *self = static_cast<Seat *>(data);
    self->last_serial_ = serial;
    std::vector<std::string> active;
    if (self->xkb_state_) {
        xkb_state_update_mask(self->xkb_state_.get(), depressed, latched, locked, 0, 0, group);
        xkb_keymap *keymap = self->keymap_.get();
        for (xkb_mod_index_t i = 0; i < xkb_keymap_num_mods(keymap); ++i) {
            if (xkb_state_mod_index_is_active(self->xkb_state_.get(), i, XKB_STATE_MODS_EFFECTIVE) >
                0)
                active.push_back(xkb_keymap_mod_get_name(keymap, i));
        }
    }
    JsonLine line("modifiers");
    window_field(line, self->keyboard_window_)
        .num("depressed", depressed)
        .num("latched", latched)
        .num("locked", locked)
        .num("group", group)
        .strs("active", active);
    self->client_.log(line);
}

void Seat::keyboard_repeat_info(void *, wl_keyboard *, int32_t, int32_t) {}

} // namespace rampart::test_client
