// Maps a window and logs every keyboard and pointer event it receives, to prove which input
// reaches an ordinary client (secure key combinations must not).
#include <vector>

#include <unistd.h>

#include "attacks.hpp"
#include "connection.hpp"
#include "shm.hpp"
#include "window.hpp"

namespace rampart::hostile {

namespace {

constexpr uint32_t seat_version = 8; // every wl_pointer event up to axis_value120

struct InputLog {
    const Options *options = nullptr;
    Globals *globals = nullptr;
    wl_surface_ptr cursor; // --cursor-size: a client cursor that tries to be large
    std::unique_ptr<ShmBuffer> cursor_buffer, grown_buffer;
    wl_seat_ptr seat;
    wl_pointer_ptr pointer;
    wl_keyboard_ptr keyboard;
    int key_events = 0;
    int pointer_events = 0;
};

std::vector<std::string> key_list(const wl_array *keys)
{
    std::vector<std::string> out;
    const auto *begin = static_cast<const uint32_t *>(keys->data);
    for (size_t i = 0; i < keys->size / sizeof(uint32_t); ++i)
        out.push_back(std::to_string(begin[i]));
    return out;
}

InputLog &log_of(void *data)
{
    return *static_cast<InputLog *>(data);
}

const wl_keyboard_listener keyboard_listener = {
    .keymap =
        [](void *, wl_keyboard *, uint32_t format, int32_t fd, uint32_t size) {
            close(fd);
            Json::event("keymap").num("format", format).num("size", size).print();
        },
    .enter =
        [](void *, wl_keyboard *, uint32_t serial, wl_surface *, wl_array *keys) {
            Json::event("keyboard_enter")
                .num("serial", serial)
                .strs("keys", key_list(keys))
                .print();
        },
    .leave = [](void *, wl_keyboard *, uint32_t serial,
                wl_surface *) { Json::event("keyboard_leave").num("serial", serial).print(); },
    .key =
        [](void *data, wl_keyboard *, uint32_t serial, uint32_t time, uint32_t key,
           uint32_t state) {
            ++log_of(data).key_events;
            Json::event("key")
                .num("key", key)
                .str("state", state == WL_KEYBOARD_KEY_STATE_PRESSED ? "pressed" : "released")
                .num("serial", serial)
                .num("time", time)
                .print();
        },
    .modifiers =
        [](void *, wl_keyboard *, uint32_t serial, uint32_t depressed, uint32_t latched,
           uint32_t locked, uint32_t group) {
            Json::event("modifiers")
                .num("depressed", depressed)
                .num("latched", latched)
                .num("locked", locked)
                .num("group", group)
                .num("serial", serial)
                .print();
        },
    .repeat_info =
        [](void *, wl_keyboard *, int32_t rate, int32_t delay) {
            Json::event("repeat_info").num("rate", rate).num("delay", delay).print();
        },
};

const wl_pointer_listener pointer_listener = {
    .enter =
        [](void *data, wl_pointer *pointer, uint32_t serial, wl_surface *, wl_fixed_t x,
           wl_fixed_t y) {
            InputLog &log = log_of(data);
            ++log.pointer_events;
            if (log.options->cursor_size > 0 && !log.cursor) {
                int size = log.options->cursor_size;
                std::string error;
                log.cursor.reset(wl_compositor_create_surface(log.globals->compositor.get()));
                log.cursor_buffer = ShmBuffer::create(log.globals->shm.get(), {size, size}, error);
                if (log.cursor_buffer) {
                    log.cursor_buffer->fill(0xffff00ff);
                    wl_surface_attach(log.cursor.get(), log.cursor_buffer->buffer(), 0, 0);
                    wl_surface_damage_buffer(log.cursor.get(), 0, 0, size, size);
                    wl_surface_commit(log.cursor.get());
                    // Hotspot at the bottom: the image reaches up from the pointer.
                    wl_pointer_set_cursor(pointer, serial, log.cursor.get(), 0, size - 1);
                    Json::event("cursor_set").num("size", size).print();
                }
                int grow = log.options->cursor_grow;
                if (grow > 0)
                    log.grown_buffer =
                        ShmBuffer::create(log.globals->shm.get(), {grow, grow}, error);
                if (log.grown_buffer) {
                    log.grown_buffer->fill(0xffff00ff);
                    wl_surface_attach(log.cursor.get(), log.grown_buffer->buffer(), 0, 0);
                    wl_surface_damage_buffer(log.cursor.get(), 0, 0, grow, grow);
                    wl_surface_commit(log.cursor.get());
                    Json::event("cursor_grown").num("size", grow).print();
                }
            }
            Json::event("pointer_enter")
                .num("serial", serial)
                .real("x", wl_fixed_to_double(x))
                .real("y", wl_fixed_to_double(y))
                .print();
        },
    .leave =
        [](void *data, wl_pointer *, uint32_t serial, wl_surface *) {
            ++log_of(data).pointer_events;
            Json::event("pointer_leave").num("serial", serial).print();
        },
    .motion =
        [](void *data, wl_pointer *, uint32_t time, wl_fixed_t x, wl_fixed_t y) {
            ++log_of(data).pointer_events;
            Json::event("pointer_motion")
                .num("time", time)
                .real("x", wl_fixed_to_double(x))
                .real("y", wl_fixed_to_double(y))
                .print();
        },
    .button =
        [](void *data, wl_pointer *, uint32_t serial, uint32_t time, uint32_t button,
           uint32_t state) {
            ++log_of(data).pointer_events;
            Json::event("pointer_button")
                .num("button", button)
                .str("state", state == WL_POINTER_BUTTON_STATE_PRESSED ? "pressed" : "released")
                .num("serial", serial)
                .num("time", time)
                .print();
        },
    .axis =
        [](void *data, wl_pointer *, uint32_t time, uint32_t axis, wl_fixed_t value) {
            ++log_of(data).pointer_events;
            Json::event("pointer_axis")
                .num("axis", axis)
                .real("value", wl_fixed_to_double(value))
                .num("time", time)
                .print();
        },
    .frame = [](void *, wl_pointer *) { Json::event("pointer_frame").print(); },
    .axis_source =
        [](void *, wl_pointer *, uint32_t source) {
            Json::event("pointer_axis_source").num("source", source).print();
        },
    .axis_stop =
        [](void *, wl_pointer *, uint32_t time, uint32_t axis) {
            Json::event("pointer_axis_stop").num("axis", axis).num("time", time).print();
        },
    .axis_discrete =
        [](void *, wl_pointer *, uint32_t axis, int32_t discrete) {
            Json::event("pointer_axis_discrete")
                .num("axis", axis)
                .num("discrete", discrete)
                .print();
        },
    .axis_value120 =
        [](void *, wl_pointer *, uint32_t axis, int32_t value120) {
            Json::event("pointer_axis_value120")
                .num("axis", axis)
                .num("value120", value120)
                .print();
        },
};

const wl_seat_listener seat_listener = {
    .capabilities =
        [](void *data, wl_seat *seat, uint32_t caps) {
            InputLog &log = log_of(data);
            bool pointer = caps & WL_SEAT_CAPABILITY_POINTER;
            bool keyboard = caps & WL_SEAT_CAPABILITY_KEYBOARD;
            if (pointer && !log.pointer) {
                log.pointer.reset(wl_seat_get_pointer(seat));
                wl_pointer_add_listener(log.pointer.get(), &pointer_listener, data);
            } else if (!pointer) {
                log.pointer.reset();
            }
            if (keyboard && !log.keyboard) {
                log.keyboard.reset(wl_seat_get_keyboard(seat));
                wl_keyboard_add_listener(log.keyboard.get(), &keyboard_listener, data);
            } else if (!keyboard) {
                log.keyboard.reset();
            }
            Json::event("seat").boolean("pointer", pointer).boolean("keyboard", keyboard).print();
        },
    .name = [](void *, wl_seat *,
               const char *name) { Json::event("seat_name").str("name", name).print(); },
};

} // namespace

int run_keylogger(const Options &options)
{
    Connection connection;
    Globals globals;
    if (auto code = set_up_windows(connection, globals, options))
        return *code;
    InputLog log;
    log.options = &options;
    log.globals = &globals;
    log.seat.reset(connection.bind<wl_seat>(wl_seat_interface, seat_version));
    if (!log.seat)
        return report_setup_failure(options, "compositor lacks wl_seat");
    wl_seat_add_listener(log.seat.get(), &seat_listener, &log);

    WindowSpec spec;
    spec.title = "rampart-hostile-client keylogger";
    spec.size = options.size;
    spec.color = options.color;
    Window window(globals, spec);
    if (auto code = await_map(connection, window, options))
        return *code;
    return keep_running(connection, options, [&] {
        return Verdict{log.key_events == 0, std::to_string(log.key_events) + " key events, " +
                                                std::to_string(log.pointer_events) +
                                                " pointer events logged"};
    });
}

} // namespace rampart::hostile
