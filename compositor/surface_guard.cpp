#include "surface_guard.hpp"

#include "input/input_manager.hpp"
#include "server.hpp"

#include <cstring>
#include "util/log.hpp"

namespace rampart {

namespace {
// journalctl MESSAGE_ID=... finds every refusal of an oversized surface.
constexpr const char *message_surface_too_large = "5b0e1f2a7c3d4e8f9a1b2c3d4e5f6a70";
} // namespace

SurfaceGuard::SurfaceGuard(Server &server, wlr_surface *surface)
    : server_(server), surface_(surface)
{
    commit_.connect(&surface_->events.commit, [this](void *) { check(); });
    destroy_.connect(&surface_->events.destroy,
                     [this](void *) { server_.surface_guard_done(this); });
}

void SurfaceGuard::check()
{
    wl_client *client = wl_resource_get_client(surface_->resource);
    wm::Size limit = server_.max_surface_size(server_.level_of(client));
    // A cursor surface may not grow into a fake panel or frame after it was accepted.
    if (surface_->role && std::strcmp(surface_->role->name, "wl_pointer-cursor") == 0)
        limit = {InputManager::max_client_cursor, InputManager::max_client_cursor};
    const wlr_surface_state &state = surface_->current;
    int width = std::max(state.width, state.buffer_width);
    int height = std::max(state.height, state.buffer_height);
    if (refused_ || (width <= limit.width && height <= limit.height))
        return;
    refused_ = true;
    pid_t pid = 0;
    wl_client_get_credentials(client, &pid, nullptr, nullptr);
    std::string text = "client pid " + std::to_string(pid) + " committed a " +
                       std::to_string(width) + "x" + std::to_string(height) +
                       " surface, over the " + std::to_string(limit.width) + "x" +
                       std::to_string(limit.height) + " limit; disconnected";
    log::security_event(log::Level::warning, message_surface_too_large, text,
                        {"RAMPART_PID=" + std::to_string(pid)});
    server_.events.emit("limit_surface_size", {{"pid", static_cast<int64_t>(pid)},
                                               {"width", static_cast<int64_t>(width)},
                                               {"height", static_cast<int64_t>(height)}});
    wl_resource_post_error(surface_->resource, WL_SURFACE_ERROR_INVALID_SIZE,
                           "surface %dx%d exceeds the maximum %dx%d", width, height, limit.width,
                           limit.height);
}

} // namespace rampart
