// An xdg_popup: attached to its parent's scene node and kept inside the output's usable
// area (wlroots flips/slides it per the client's constraint adjustments, then we clamp).
#pragma once

#include "listener.hpp"
#include "scene_tag.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

namespace rampart {

class Server;
class View;

class Popup {
public:
    Popup(Server &server, wlr_xdg_surface *xdg_surface);
    ~Popup();
    Popup(const Popup &) = delete;
    Popup &operator=(const Popup &) = delete;

    Server &server;
    wlr_xdg_surface *xdg;
    wlr_scene_node *node = nullptr;

    // The popup's window geometry in layout coordinates: what it may draw into.
    wm::Box clip_box() const;
    // The same grown by the frame: what the popup and its frame may cover.
    wm::Box frame_box() const;
    View *toplevel_view() const;

private:
    void constrain();
    void update_frame();

    wlr_scene_tree *tree_ = nullptr; // holds the frame rects and the popup's surfaces
    wlr_scene_rect *edges_[4] = {};
    int border_ = 2;
    SceneTag tag_{SceneTag::Kind::popup, nullptr, this};
    SceneTag frame_tag_{SceneTag::Kind::popup_frame, nullptr, this};
    Listener destroy_, commit_, tree_destroy_;
};

} // namespace rampart
