#include "view.hpp"

#include "input/input_manager.hpp"
#include "output.hpp"
#include "policy/title_sanitizer.hpp"
#include "server.hpp"
#include "util/log.hpp"

namespace rampart {

namespace {
// What a client calls its window, made safe and honest to draw (policy/title_sanitizer).
std::string clean_text(const char *raw, size_t max_codepoints)
{
    if (!raw)
        return {};
    policy::SanitizeLimits limits;
    limits.max_codepoints = max_codepoints;
    return policy::sanitize_title(raw, limits).text;
}
} // namespace

View::View(Server &server_, wlr_xdg_surface *xdg_surface)
    : server(server_), xdg(xdg_surface), id(server_.next_view_id++),
      level_(server_.level_of(wl_resource_get_client(xdg_surface->resource)))
{
    tree = wlr_scene_tree_create(&server.layers.views->node);
    wlr_scene_node_set_enabled(&tree->node, false);
    frame =
        std::make_unique<Frame>(&tree->node, frame_extents(), server.identity_for_level(level_));
    content = wlr_scene_xdg_surface_create(&tree->node, xdg);
    frame_tag_ = {SceneTag::Kind::view_frame, this};
    content_tag_ = {SceneTag::Kind::view_content, this};
    tree->node.data = &frame_tag_;
    content->data = &content_tag_;
    xdg->data = content; // popups of this toplevel attach to its content node

    map_.connect(&xdg->events.map, [this](void *) { handle_map(); });
    unmap_.connect(&xdg->events.unmap, [this](void *) { handle_unmap(); });
    destroy_.connect(&xdg->events.destroy, [this](void *) { server.view_destroyed(this); });
    commit_.connect(&xdg->surface->events.commit, [this](void *) { handle_commit(); });
    wlr_xdg_toplevel *toplevel = xdg->toplevel;
    // Only during a button press the client really received, as xdg-shell intends.
    request_move_.connect(&toplevel->events.request_move, [this](void *data) {
        auto *event = static_cast<wlr_xdg_toplevel_move_event *>(data);
        if (mapped_ &&
            wlr_seat_validate_pointer_grab_serial(server.seat, xdg->surface, event->serial))
            server.input->begin_move(this);
    });
    request_resize_.connect(&toplevel->events.request_resize, [this](void *data) {
        auto *event = static_cast<wlr_xdg_toplevel_resize_event *>(data);
        if (mapped_ &&
            wlr_seat_validate_pointer_grab_serial(server.seat, xdg->surface, event->serial))
            server.input->begin_resize(this, event->edges);
    });
    request_maximize_.connect(&toplevel->events.request_maximize, [this](void *) {
        if (mapped_)
            set_maximized(xdg->toplevel->requested.maximized);
        else
            wlr_xdg_surface_schedule_configure(xdg); // the protocol wants a reply
    });
    request_fullscreen_.connect(&toplevel->events.request_fullscreen, [this](void *) {
        if (mapped_)
            set_fullscreen(xdg->toplevel->requested.fullscreen);
        else
            wlr_xdg_surface_schedule_configure(xdg);
    });
    set_title_.connect(&toplevel->events.set_title, [this](void *) {
        title_ = clean_text(xdg->toplevel->title, 256);
        refresh_frame();
        server.schedule_panel_update();
        if (mapped_)
            server.events.emit("view_title",
                               {{"view", static_cast<int64_t>(id)}, {"title", title_}});
    });
}

View::~View()
{
    // The xdg surface is being destroyed: its scene subtree goes with our tree.
    frame.reset();
    wlr_scene_node_destroy(&tree->node);
}

wm::FrameExtents View::frame_extents() const
{
    const config::WindowConfig &window = server.config.window;
    if (fullscreen_)
        return {window.fullscreen_border, window.fullscreen_border};
    return {window.border, window.title_height};
}

wm::Box View::content_box() const
{
    wlr_box geometry{};
    wlr_xdg_surface_get_geometry(xdg, &geometry);
    wm::FrameExtents extents = frame_extents();
    return {x_ + extents.left(), y_ + extents.top(), geometry.width, geometry.height};
}

wm::Box View::outer_box() const
{
    return wm::outer_from_content(content_box(), frame_extents());
}

pid_t View::pid() const
{
    pid_t pid = 0;
    wl_client_get_credentials(wl_resource_get_client(xdg->resource), &pid, nullptr, nullptr);
    return pid;
}

std::string View::title() const
{
    return title_;
}
std::string View::app_id() const
{
    return clean_text(xdg->toplevel->app_id, 128);
}

void View::move_to(int x, int y)
{
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree->node, x_, y_);
}

void View::request_content_size(int width, int height)
{
    wm::Size limit = server.max_surface_size(level_);
    width = std::clamp(width, 1, limit.width);
    height = std::clamp(height, 1, limit.height);
    wlr_xdg_toplevel_set_size(xdg, static_cast<uint32_t>(width), static_cast<uint32_t>(height));
}

void View::set_outer_box(const wm::Box &outer)
{
    wm::Box content = wm::content_from_outer(outer, frame_extents());
    move_to(outer.x, outer.y);
    request_content_size(content.width, content.height);
}

void View::set_activated(bool activated)
{
    activated_ = activated;
    wlr_xdg_toplevel_set_activated(xdg, activated);
    refresh_frame();
}

void View::set_maximized(bool maximized)
{
    Output *output = server.output_for_view(this);
    if (fullscreen_ || !output) {
        wlr_xdg_surface_schedule_configure(xdg);
        return;
    }
    if (maximized && !maximized_) {
        saved_outer_ = outer_box();
        maximized_ = true;
        wlr_xdg_toplevel_set_maximized(xdg, true);
        set_outer_box(output->usable_box());
    } else if (!maximized && maximized_) {
        maximized_ = false;
        wlr_xdg_toplevel_set_maximized(xdg, false);
        restore_geometry();
    } else {
        wlr_xdg_surface_schedule_configure(xdg);
    }
    server.events.emit("view_maximized", {{"view", static_cast<int64_t>(id)}, {"on", maximized_}});
}

void View::set_fullscreen(bool fullscreen)
{
    Output *output = server.output_for_view(this);
    if (!output) {
        wlr_xdg_surface_schedule_configure(xdg);
        return;
    }
    if (fullscreen && !fullscreen_) {
        if (!maximized_)
            saved_outer_ = outer_box();
        fullscreen_ = true;
        frame->set_extents(frame_extents());
        wlr_xdg_toplevel_set_fullscreen(xdg, true);
        // Fullscreen stays inside the usable area and keeps a thin frame.
        set_outer_box(output->usable_box());
    } else if (!fullscreen && fullscreen_) {
        fullscreen_ = false;
        frame->set_extents(frame_extents());
        wlr_xdg_toplevel_set_fullscreen(xdg, false);
        if (maximized_)
            set_outer_box(output->usable_box());
        else
            restore_geometry();
    } else {
        wlr_xdg_surface_schedule_configure(xdg);
    }
    refresh_frame();
    server.events.emit("view_fullscreen",
                       {{"view", static_cast<int64_t>(id)}, {"on", fullscreen_}});
}

void View::restore_geometry()
{
    Output *output = server.output_for_view(this);
    wm::Box box = saved_outer_.value_or(outer_box());
    if (output)
        box = wm::keep_inside(box, output->usable_box());
    saved_outer_.reset();
    set_outer_box(box);
}

void View::close()
{
    wlr_xdg_toplevel_send_close(xdg);
}

void View::fit_to_output(Output &output)
{
    wm::Box usable = output.usable_box();
    if (fullscreen_ || maximized_) {
        set_outer_box(usable);
        return;
    }
    wm::Box outer = outer_box();
    if (!usable.contains(outer.x, outer.y) || outer.width > usable.width ||
        outer.height > usable.height) {
        wm::FrameExtents extents = frame_extents();
        wm::Box content = content_box();
        wm::Size size = wm::clamp_content_size(
            {content.width, content.height},
            {server.config.window.max_width, server.config.window.max_height}, usable, extents);
        wm::Box placed =
            wm::keep_inside({outer.x, outer.y, size.width + extents.left() + extents.right(),
                             size.height + extents.top() + extents.bottom()},
                            usable);
        set_outer_box(placed);
    }
}

wlr_box View::popup_constraint_box() const
{
    Output *output = server.output_for_view(this);
    wm::Box usable = output ? output->usable_box() : wm::Box{0, 0, 1, 1};
    wlr_box geometry{};
    wlr_xdg_surface_get_geometry(xdg, &geometry);
    wm::Box content = content_box();
    // Toplevel surface coordinates: the surface origin sits at content - geometry offset.
    return {usable.x - (content.x - geometry.x), usable.y - (content.y - geometry.y), usable.width,
            usable.height};
}

void View::place_initially()
{
    Output *output = server.output_at(server.input->cursor_x(), server.input->cursor_y());
    if (!output)
        output = server.primary_output();
    if (!output)
        return;
    wm::Box usable = output->usable_box();
    wm::FrameExtents extents = frame_extents();
    wm::Box content = content_box();
    wm::Size wanted{content.width > 0 ? content.width : 640,
                    content.height > 0 ? content.height : 480};
    wm::Size size = wm::clamp_content_size(
        wanted, {server.config.window.max_width, server.config.window.max_height}, usable, extents);
    wm::Box outer = wm::cascade(usable,
                                {size.width + extents.left() + extents.right(),
                                 size.height + extents.top() + extents.bottom()},
                                server.placed_count++);
    move_to(outer.x, outer.y);
    if (size.width != content.width || size.height != content.height)
        request_content_size(size.width, size.height);
}

void View::handle_map()
{
    mapped_ = true;
    title_ = clean_text(xdg->toplevel->title, 256);
    place_initially();
    wlr_scene_node_set_enabled(&tree->node, true);
    refresh_frame();
    server.view_mapped(this);
    if (xdg->toplevel->requested.fullscreen)
        set_fullscreen(true);
    else if (xdg->toplevel->requested.maximized)
        set_maximized(true);
}

void View::handle_unmap()
{
    mapped_ = false;
    wlr_scene_node_set_enabled(&tree->node, false);
    server.view_unmapped(this);
}

void View::handle_commit()
{
    if (!mapped_)
        return;
    if (server.input->pending_resize_of(this, &x_, &y_))
        wlr_scene_node_set_position(&tree->node, x_, y_);
    refresh_frame();
}

void View::refresh_frame()
{
    wlr_box geometry{};
    wlr_xdg_surface_get_geometry(xdg, &geometry);
    wm::FrameExtents extents = frame_extents();
    // The client's window geometry starts at the frame's inner corner; anything it draws
    // outside its geometry (shadows) lies under the frame or beyond.
    wlr_scene_node_set_position(content, extents.left() - geometry.x, extents.top() - geometry.y);
    frame->update(geometry.width, geometry.height, title_, activated_);
}

} // namespace rampart
