// What a scene node belongs to, stored in wlr_scene_node::data of the nodes Rampart tags,
// so a hit test can walk up from any node to its owner.
#pragma once

struct wlr_scene_node;

namespace rampart {

class View;
class Popup;

struct SceneTag {
    enum class Kind { view_content, view_frame, popup, popup_frame };
    Kind kind;
    View *view;             // the toplevel this node belongs to (may be null for a popup)
    Popup *popup = nullptr; // set for Kind::popup
};

// Walks up from `node` to the nearest tagged ancestor (or the node itself); nullptr if none.
const SceneTag *find_scene_tag(wlr_scene_node *node);

} // namespace rampart
