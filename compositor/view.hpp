// A toplevel window: an xdg_toplevel, its scene subtree and its server-side frame.
// Geometry is kept as the outer box (frame included) in layout coordinates.
#pragma once

#include "frame.hpp"
#include "listener.hpp"
#include "scene_tag.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace rampart {

class Server;
class Output;
class Popup;

class View {
public:
    View(Server &server, wlr_xdg_surface *xdg_surface);
    ~View();
    View(const View &) = delete;
    View &operator=(const View &) = delete;

    // Moves the frame's top-left to (x, y) in layout coordinates.
    void move_to(int x, int y);
    // Asks the client for a content size (the frame follows on its next commit).
    void request_content_size(int width, int height);
    // Moves and resizes so the whole frame is `outer`.
    void set_outer_box(const wm::Box &outer);
    void set_activated(bool activated);
    void set_maximized(bool maximized);
    void set_fullscreen(bool fullscreen);
    void close();
    // Fits the view into `output` after a layout change or when sent there.
    void fit_to_output(Output &output);

    wm::Box outer_box() const;   // frame included, layout coordinates
    wm::Box content_box() const; // the client's window geometry, layout coordinates
    wm::FrameExtents frame_extents() const;
    bool mapped() const { return mapped_; }
    bool maximized() const { return maximized_; }
    bool fullscreen() const { return fullscreen_; }
    wlr_surface *surface() const { return xdg->surface; }
    pid_t pid() const;
    // The level of the client that made this window, copied at creation: it never changes.
    int level() const { return level_; }
    std::string title() const;
    std::string app_id() const;
    // Where a popup may go: the output's usable area in toplevel surface coordinates.
    wlr_box popup_constraint_box() const;

    Server &server;
    wlr_xdg_surface *xdg;
    const uint64_t id;
    wlr_scene_tree *tree = nullptr;    // at the frame's top-left
    wlr_scene_node *content = nullptr; // the client's surfaces (and popups)
    std::unique_ptr<Frame> frame;

private:
    void handle_map();
    void handle_unmap();
    void handle_commit();
    void place_initially();
    void refresh_frame();
    void restore_geometry();

    const int level_;
    int x_ = 0, y_ = 0; // frame top-left, layout coordinates
    bool mapped_ = false, activated_ = false, maximized_ = false, fullscreen_ = false;
    std::optional<wm::Box> saved_outer_; // geometry before maximize/fullscreen
    std::string title_;
    SceneTag frame_tag_{}, content_tag_{};

    Listener map_, unmap_, destroy_, commit_, request_move_, request_resize_, request_maximize_,
        request_fullscreen_, set_title_;
};

} // namespace rampart
