// One display output: applies its config, renders the scene on each frame and reports
// committed frames to the event log (tests and benchmarks count them).
#pragma once

#include "listener.hpp"
#include "panel_view.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <cstdint>
#include <functional>
#include <memory>

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

    wm::Box layout_box() const; // in layout coordinates
    wm::Box usable_box() const; // layout box minus the panel strip
    wm::Box panel_box() const;  // the strip at the top reserved for the trusted panel

    // Height of the panel strip in logical pixels. No client surface is ever placed there,
    // and the strip is drawn above every client.
    static constexpr int panel_height = 28;
    const char *name() const { return wlr->name; }

    Server &server;
    wlr_output *wlr;
    wlr_scene_output *scene_output = nullptr;
    wlr_scene_rect *background = nullptr;
    std::unique_ptr<PanelView> panel;
    uint64_t frames_committed = 0;

    // Test hook: called with every buffer this output commits (headless+pixman buffers are
    // CPU-readable). Empty in production.
    std::function<void(wlr_buffer *)> on_commit_buffer;

private:
    void render_frame();
    bool rendering_ = false; // inside render_frame: its commit shows what the scene holds
    void update_background();

    Listener frame_, destroy_, commit_, mode_;
};

} // namespace rampart
