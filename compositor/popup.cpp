#include "popup.hpp"

#include "frame.hpp"
#include "scene_tag.hpp"
#include "server.hpp"
#include "view.hpp"

namespace rampart {

Popup::Popup(Server &server_, wlr_xdg_surface *xdg_surface) : server(server_), xdg(xdg_surface)
{
    wlr_xdg_surface *parent = wlr_xdg_surface_from_wlr_surface(xdg->popup->parent);
    auto *parent_node = parent ? static_cast<wlr_scene_node *>(parent->data) : nullptr;
    if (!parent_node) {
        // No known parent (e.g. a layer surface we do not offer): never shown.
        destroy_.connect(&xdg->events.destroy, [this](void *) { server.popup_destroyed(this); });
        return;
    }
    // A tree of our own holds a thin frame in the level's colour around the popup.
    tree_ = wlr_scene_tree_create(parent_node);
    // If the parent's scene subtree goes first, so does ours: forget it then.
    tree_destroy_.connect(&tree_->node.events.destroy, [this](void *) {
        tree_destroy_.disconnect();
        commit_.disconnect();
        tree_ = nullptr;
        node = nullptr;
    });
    View *view = toplevel_view();
    FrameIdentity identity =
        server.identity_for_level(view ? view->level() : Server::unknown_level);
    const float colour[4] = {identity.colour.r, identity.colour.g, identity.colour.b, 1.0f};
    for (auto &edge : edges_)
        edge = wlr_scene_rect_create(&tree_->node, 0, 0, colour);
    border_ = std::clamp(server.config.window.border, 1, 3);
    node = wlr_scene_xdg_surface_create(&tree_->node, xdg);
    xdg->data = node;
    tag_.view = frame_tag_.view = view;
    node->data = &tag_;
    tree_->node.data = &frame_tag_;
    destroy_.connect(&xdg->events.destroy, [this](void *) { server.popup_destroyed(this); });
    // Registered after wlr_scene's own commit handler, so the node has its new position.
    commit_.connect(&xdg->surface->events.commit, [this](void *) { update_frame(); });
    constrain();
}

Popup::~Popup()
{
    if (tree_) {
        commit_.disconnect();
        tree_destroy_.disconnect();
        wlr_scene_node_destroy(&tree_->node); // the xdg node inside is already gone or goes now
    }
}

void Popup::update_frame()
{
    wlr_box geometry{};
    wlr_xdg_surface_get_geometry(xdg, &geometry);
    int x = node->state.x + geometry.x, y = node->state.y + geometry.y;
    int w = std::min(geometry.width, xdg->popup->geometry.width);
    int h = std::min(geometry.height, xdg->popup->geometry.height), b = border_;
    const wm::Box boxes[4] = {{x - b, y - b, w + 2 * b, b},
                              {x - b, y + h, w + 2 * b, b},
                              {x - b, y, b, h},
                              {x + w, y, b, h}};
    for (int i = 0; i < 4; ++i) {
        wlr_scene_node_set_position(&edges_[i]->node, boxes[i].x, boxes[i].y);
        wlr_scene_rect_set_size(edges_[i], boxes[i].width, boxes[i].height);
    }
}

wm::Box Popup::frame_box() const
{
    wm::Box box = clip_box();
    return {box.x - border_, box.y - border_, box.width + 2 * border_, box.height + 2 * border_};
}

View *Popup::toplevel_view() const
{
    wlr_xdg_surface *surface = xdg;
    while (surface && surface->role == WLR_XDG_SURFACE_ROLE_POPUP)
        surface = wlr_xdg_surface_from_wlr_surface(surface->popup->parent);
    if (!surface || surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL || !surface->data)
        return nullptr;
    const SceneTag *tag = find_scene_tag(static_cast<wlr_scene_node *>(surface->data));
    return tag ? tag->view : nullptr;
}

wm::Box Popup::clip_box() const
{
    int lx = 0, ly = 0;
    if (!node || !wlr_scene_node_coords(node, &lx, &ly))
        return {};
    wlr_box geometry{};
    wlr_xdg_surface_get_geometry(xdg, &geometry);
    // No larger than the size Rampart configured, whatever the client drew.
    return {lx + geometry.x, ly + geometry.y, std::min(geometry.width, xdg->popup->geometry.width),
            std::min(geometry.height, xdg->popup->geometry.height)};
}

void Popup::constrain()
{
    View *view = toplevel_view();
    if (!view)
        return;
    wlr_box box = view->popup_constraint_box();
    // Keep the frame on the output as well.
    box = {box.x + border_, box.y + border_, box.width - 2 * border_, box.height - 2 * border_};
    wlr_xdg_popup_unconstrain_from_box(xdg->popup, &box);
    // wlroots only applies the adjustments the client allowed; a popup must stay on the
    // output whatever it allowed, so clamp what is left (position, then size).
    int parent_x = 0, parent_y = 0;
    wlr_xdg_popup_get_toplevel_coords(xdg->popup, 0, 0, &parent_x, &parent_y);
    wlr_box &geometry = xdg->popup->geometry;
    // geometry is relative to the parent; work in toplevel coordinates.
    int x = parent_x + geometry.x, y = parent_y + geometry.y;
    geometry.width = std::min(geometry.width, box.width);
    geometry.height = std::min(geometry.height, box.height);
    x = std::clamp(x, box.x, box.x + box.width - geometry.width);
    y = std::clamp(y, box.y, box.y + box.height - geometry.height);
    geometry.x = x - parent_x;
    geometry.y = y - parent_y;
}

} // namespace rampart
