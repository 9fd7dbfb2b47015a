// One display output: applies its config, renders the scene on each frame and reports
// committed frames to the event log (tests and benchmarks count them).
#pragma once

#include "listener.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <cstdint>
#include <functional>

namespace rampart {

class Server;

class Output {
public:
    Output(Server &server, wlr_output *output);
    ~Output();
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    // Applies mode/scale/transform/enable from the server's config; true if it committed.
    bool apply_config();
    void place_in_layout();

    wm::Box layout_box() const;  // in layout coordinates
    wm::Box usable_box() const;  // layout box minus reserved strips (the panel, later)
    const char *name() const { return wlr->name; }

    Server &server;
    wlr_output *wlr;
    wlr_scene_output *scene_output = nullptr;
    wlr_scene_rect *background = nullptr;
    uint64_t frames_committed = 0;

    // Test hook: called with every buffer this output commits (headless+pixman buffers are
    // CPU-readable). Empty in production.
    std::function<void(wlr_buffer *)> on_commit_buffer;

private:
    void render_frame();
    void update_background();

    Listener frame_, destroy_, commit_, mode_;
};

}  // namespace rampart
