#include "popup.hpp"

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
    node = wlr_scene_xdg_surface_create(parent_node, xdg);
    xdg->data = node;
    tag_.view = toplevel_view();
    node->data = &tag_;
    destroy_.connect(&xdg->events.destroy, [this](void *) { server.popup_destroyed(this); });
    constrain();
}

Popup::~Popup() = default;  // the scene node goes with the xdg surface

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
    return {lx + geometry.x, ly + geometry.y, geometry.width, geometry.height};
}

void Popup::constrain()
{
    View *view = toplevel_view();
    if (!view)
        return;
    wlr_box box = view->popup_constraint_box();
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

}  // namespace rampart
