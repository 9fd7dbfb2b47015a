// Rampart's render pass over the wlr_scene graph, used instead of wlr_scene_output_commit:
//  - occlusion culling: nodes hidden behind opaque nodes above them are not drawn;
//  - clipping: a node subtree can be confined to a box (a window's content box), so no
//    client pixel lands outside its frame, subsurfaces included;
//  - on the pixman renderer, unscaled untransformed textures and rects are drawn with
//    pixman_image_composite32 / fill at integer offsets (the SSE2 fast path); anything
//    else goes through the wlroots renderer as wlr_scene would.
// wlr_scene still tracks damage, primary outputs and frame callbacks.
#pragma once

#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <functional>
#include <optional>

namespace rampart {

// For a node that starts a clip, the box (layout coordinates) its subtree is confined to;
// nullopt for nodes that do not. The innermost clip wins.
using ClipForNode = std::function<std::optional<wm::Box>(wlr_scene_node *node)>;

struct RenderStats {
    int nodes_drawn = 0;
    int nodes_culled = 0;
};

// Renders and commits one frame of `scene_output` if it has damage. Returns false when
// the output could not be rendered or committed.
// `cursor_forbidden` (output coordinates, may be null): where the software cursor must not
// be drawn (a client's cursor over the trusted panel).
bool render_scene_output(wlr_scene_output *scene_output, wlr_renderer *renderer,
                         const ClipForNode &clip_for, RenderStats *stats = nullptr,
                         const wm::Box *cursor_forbidden = nullptr);

} // namespace rampart
