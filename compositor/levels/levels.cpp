// What a client's level decides: how its windows are framed, how large its surfaces may be,
// how many windows the level may have.
#include "frame.hpp"
#include "server.hpp"
#include "util/log.hpp"
#include "view.hpp"

namespace rampart {

namespace {
constexpr const char *message_window_limit = "5b0e1f2a7c3d4e8f9a1b2c3d4e5f6a71";

wm::Colour colour_of(const config::Rgb &rgb)
{
    return wm::Colour::from_rgb(rgb.r, rgb.g, rgb.b);
}
} // namespace

FrameIdentity Server::identity_for_level(int level) const
{
    if (level >= 0 && level < static_cast<int>(config.levels.levels.size())) {
        const config::LevelConfig &l = config.levels.levels[static_cast<size_t>(level)];
        return {l.glyph, l.name, colour_of(l.color), colour_of(l.text_color),
                static_cast<int>(l.pattern)};
    }
    // Rampart's own trusted helpers: a look no level may configure (see docs/threat-model.md).
    return {"◆", "Rampart", wm::Colour::from_rgb(0x10, 0x10, 0x10),
            wm::Colour::from_rgb(0xff, 0xd7, 0x00), 0};
}

wm::Size Server::max_surface_size(int level) const
{
    wm::Size limit{config.window.max_width, config.window.max_height};
    if (level >= 0 && level < static_cast<int>(config.levels.levels.size())) {
        const config::LevelConfig &l = config.levels.levels[static_cast<size_t>(level)];
        limit = {std::min(limit.width, l.max_width), std::min(limit.height, l.max_height)};
    }
    return limit;
}

bool Server::window_limit_reached(wlr_xdg_surface *surface)
{
    wl_client *client = wl_resource_get_client(surface->resource);
    int level = level_of(client);
    if (level < 0)
        return false; // trusted helpers are ours
    const config::LevelConfig &l = config.levels.levels[static_cast<size_t>(level)];
    int count = 0;
    for (auto &view : views)
        count += view->level() == level;
    if (count < l.max_windows)
        return false;
    pid_t pid = 0;
    wl_client_get_credentials(client, &pid, nullptr, nullptr);
    std::string text = "level " + l.id + " has its " + std::to_string(l.max_windows) +
                       " windows; client pid " + std::to_string(pid) +
                       " asked for more and was disconnected";
    log::security_event(log::Level::warning, message_window_limit, text,
                        {"RAMPART_PID=" + std::to_string(pid), "RAMPART_LEVEL=" + l.id});
    events.emit("limit_windows", {{"pid", static_cast<int64_t>(pid)}, {"level", l.id}});
    wl_client_post_implementation_error(client, "the window limit of this level (%d) is reached",
                                        l.max_windows);
    return true;
}

} // namespace rampart
