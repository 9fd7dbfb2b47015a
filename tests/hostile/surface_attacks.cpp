// One window with something hostile about it: its title, a frame it draws itself, a
// subsurface or popup outside it, or a size that covers the whole output.
#include <memory>

#include "attacks.hpp"
#include "connection.hpp"
#include "window.hpp"

namespace rampart::hostile {

namespace {

// A title bar band and borders inside the buffer, in the colours of a real frame.
Painter fake_frame_painter(Color frame, Color body)
{
    return [frame, body](ShmBuffer &buffer) {
        constexpr int32_t bar = 24, border = 2, button = 16;
        Size size = buffer.size();
        buffer.fill(body);
        buffer.fill({0, 0, size.width, bar}, frame);
        buffer.fill({0, 0, border, size.height}, frame);
        buffer.fill({size.width - border, 0, border, size.height}, frame);
        buffer.fill({0, size.height - border, size.width, border}, frame);
        // A "close button", as real frames have one.
        buffer.fill({size.width - bar + (bar - button) / 2, (bar - button) / 2, button, button},
                    frame ^ 0x00ffffffu);
    };
}

struct OutputMode {
    Size size;
    bool done = false;
};

const wl_output_listener output_listener = {
    .geometry = [](void *, wl_output *, int32_t, int32_t, int32_t, int32_t, int32_t, const char *,
                   const char *, int32_t) {},
    .mode =
        [](void *data, wl_output *, uint32_t flags, int32_t width, int32_t height, int32_t) {
            if (flags & WL_OUTPUT_MODE_CURRENT)
                static_cast<OutputMode *>(data)->size = {width, height};
        },
    .done = [](void *data, wl_output *) { static_cast<OutputMode *>(data)->done = true; },
    .scale = [](void *, wl_output *, int32_t) {},
    .name = [](void *, wl_output *, const char *) {},
    .description = [](void *, wl_output *, const char *) {},
};

// The first output's current mode, or nullopt.
std::optional<Size> first_output_mode(Connection &connection)
{
    wl_output_ptr output(connection.bind<wl_output>(wl_output_interface, 4));
    if (!output)
        return std::nullopt;
    OutputMode mode;
    wl_output_add_listener(output.get(), &output_listener, &mode);
    connection.roundtrip();
    if (mode.size.width <= 0 || mode.size.height <= 0)
        return std::nullopt;
    return mode.size;
}

// A desynchronised subsurface filled with one colour.
struct Subsurface {
    std::unique_ptr<ShmBuffer> buffer;
    wl_surface_ptr surface;
    wl_subsurface_ptr subsurface;
};

bool add_subsurface(Globals &globals, Window &parent, Rect rect, Color color, Subsurface &sub,
                    std::string &error)
{
    sub.buffer = ShmBuffer::create(globals.shm.get(), {rect.width, rect.height}, error);
    if (!sub.buffer)
        return false;
    sub.buffer->fill(color);
    sub.surface.reset(wl_compositor_create_surface(globals.compositor.get()));
    sub.subsurface.reset(wl_subcompositor_get_subsurface(globals.subcompositor.get(),
                                                         sub.surface.get(), parent.surface()));
    wl_subsurface_set_position(sub.subsurface.get(), rect.x, rect.y);
    wl_subsurface_set_desync(sub.subsurface.get());
    wl_surface_attach(sub.surface.get(), sub.buffer->buffer(), 0, 0);
    wl_surface_damage_buffer(sub.surface.get(), 0, 0, rect.width, rect.height);
    wl_surface_commit(sub.surface.get());
    parent.commit(); // the position is the parent's state
    return true;
}

std::string rect_text(Rect rect)
{
    return std::to_string(rect.x) + "," + std::to_string(rect.y) + " " +
           std::to_string(rect.width) + "x" + std::to_string(rect.height);
}

} // namespace

int run_surface_attack(const Options &options)
{
    Connection connection;
    Globals globals;
    if (auto code = set_up_windows(connection, globals, options))
        return *code;
    std::string error;

    WindowSpec spec;
    spec.title = "rampart-hostile-client " + options.attack_name;
    spec.size = options.size;
    spec.color = options.color;
    switch (options.attack) {
    case Attack::evil_title:
        spec.title = evil_title(options.evil_kind).value_or("");
        Json::event("title")
            .str("kind", options.evil_kind)
            .str("title", spec.title)
            .num("bytes", int64_t(spec.title.size()))
            .str("hex", to_hex(spec.title))
            .print();
        break;
    case Attack::fake_frame:
        spec.client_side_decoration = true; // no server frame, if the compositor agrees
        spec.paint = fake_frame_painter(options.frame_color, options.color);
        break;
    case Attack::output_sized: {
        auto mode = first_output_mode(connection);
        if (!mode)
            return report_setup_failure(options, "no wl_output with a current mode");
        Json::event("output_mode").num("width", mode->width).num("height", mode->height).print();
        spec.size = *mode;
        spec.ignore_configure = true; // hostile: whatever the compositor configures
        spec.client_side_decoration = true;
        break;
    }
    case Attack::subsurface_over:
        if (!globals.subcompositor)
            return report_setup_failure(options, "compositor lacks wl_subcompositor");
        break;
    default: break;
    }
    Window window(globals, spec);
    if (auto code = await_map(connection, window, options))
        return *code;

    if (options.attack == Attack::subsurface_over) {
        Subsurface sub;
        if (!add_subsurface(globals, window, options.rect, options.sub_color, sub, error))
            return report_setup_failure(options, error);
        if (connection.roundtrip())
            Json::event("subsurface_mapped")
                .num("x", options.rect.x)
                .num("y", options.rect.y)
                .num("width", options.rect.width)
                .num("height", options.rect.height)
                .print();
        return keep_running(connection, options, [&] {
            return Verdict{false, "subsurface committed at " + rect_text(options.rect)};
        });
    }
    if (options.attack == Attack::popup_escape) {
        Popup popup(globals, window, options.rect, 0xffff00ff, error);
        if (!error.empty())
            return report_setup_failure(options, error);
        connection.wait([&] { return popup.configured() || popup.dismissed(); },
                        timeout_of(options));
        if (connection.alive())
            connection.roundtrip(); // the oversized buffer reaches the compositor
        return keep_running(connection, options, [&] {
            Rect got = popup.configured_rect();
            const Rect &want = options.rect;
            bool moved = got.x != want.x || got.y != want.y || got.width != want.width ||
                         got.height != want.height;
            if (popup.dismissed())
                return Verdict{true, "popup dismissed by the compositor"};
            if (!popup.configured())
                return Verdict{true, "popup never configured"};
            return Verdict{moved, "asked for " + rect_text(want) + ", configured " +
                                      rect_text(got) + "; drew " + std::to_string(want.width) +
                                      "x" + std::to_string(want.height) + " anyway"};
        });
    }
    return keep_running(connection, options, [&] {
        Size configured = window.configured_size();
        return Verdict{false, "window mapped at " + std::to_string(window.size().width) + "x" +
                                  std::to_string(window.size().height) + " (configured " +
                                  std::to_string(configured.width) + "x" +
                                  std::to_string(configured.height) + ")"};
    });
}

} // namespace rampart::hostile
