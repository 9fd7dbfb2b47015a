#include "server.hpp"

#include "input/input_manager.hpp"
#include "input/keyboard.hpp"
#include "levels/listening_socket.hpp"
#include "lock/lock_screen.hpp"
#include "control/control_socket.hpp"
#include "output.hpp"
#include "overview.hpp"
#include "panel_list.hpp"
#include "popup.hpp"
#include "scene_tag.hpp"
#include "surface_guard.hpp"
#include "util/log.hpp"
#include "util/spawn.hpp"
#include "view.hpp"
#include "wm/focus_policy.hpp"

#include <cmath>
#include <csignal>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace rampart {

const SceneTag *find_scene_tag(wlr_scene_node *node)
{
    for (; node; node = node->parent)
        if (node->data)
            return static_cast<const SceneTag *>(node->data);
    return nullptr;
}

Server::Server(ServerOptions options_, config::Config config_)
    : options(std::move(options_)), config(std::move(config_))
{
}

Server::~Server()
{
    tearing_down_ = true;
    // Order matters (see design/wlroots-0.15.md): clients, our objects, cursor, layout,
    // scene, backend, allocator, renderer, display.
    for (wl_event_source *source : signal_sources_)
        wl_event_source_remove(source);
    for (wl_event_source *source : {clock_timer_, flash_timer_, panel_update_idle_})
        if (source)
            wl_event_source_remove(source);
    lock_screen.reset(); // its images live in the scene; its broker is our child
    control_socket_.reset();
    sockets_.clear();
    if (display)
        wl_display_destroy_clients(display);
    if (protocol_logger_)
        wl_protocol_logger_destroy(protocol_logger_);
    client_created_.disconnect();
    views.clear();
    popups.clear();
    surface_guards_.clear();
    new_output_.disconnect();
    new_xdg_surface_.disconnect();
    new_surface_.disconnect();
    new_decoration_.disconnect();
    request_activate_.disconnect();
    backend_destroy_.disconnect();
    decorations_.clear();
    panel_list.reset();
    overview.reset();
    input.reset();
    outputs.clear();
    if (output_layout)
        wlr_output_layout_destroy(output_layout);
    if (scene)
        wlr_scene_node_destroy(&scene->node);
    if (backend)
        wlr_backend_destroy(backend);
    if (allocator)
        wlr_allocator_destroy(allocator);
    if (renderer)
        wlr_renderer_destroy(renderer);
    clients_.clear();
    if (display)
        wl_display_destroy(display);
}

bool Server::create_backend(std::string &error)
{
    if (options.backend == ServerOptions::Backend::headless) {
        backend = wlr_headless_backend_create(display);
        headless_backend = backend;
        renderer = backend ? wlr_pixman_renderer_create() : nullptr;
    } else {
        backend = wlr_backend_autocreate(display);
        if (backend) {
            session = wlr_backend_get_session(backend);
            renderer = wlr_renderer_autocreate(backend);
        }
    }
    if (!backend) {
        error = "no usable backend (no DRM/session, no WAYLAND_DISPLAY or DISPLAY); try --headless";
        return false;
    }
    if (!renderer || !wlr_renderer_init_wl_display(renderer, display)) {
        error = "could not create a renderer";
        return false;
    }
    allocator = wlr_allocator_autocreate(backend, renderer);
    if (!allocator) {
        error = "could not create a buffer allocator";
        return false;
    }
    return true;
}

void Server::create_globals()
{
    compositor = wlr_compositor_create(display, renderer);
    wlr_data_device_manager_create(display);
    wlr_primary_selection_v1_device_manager_create(display);
    wlr_viewporter_create(display);
    presentation = wlr_presentation_create(display, backend);
    wlr_scene_set_presentation(scene, presentation);
    if (wlr_renderer_get_dmabuf_texture_formats(renderer))
        wlr_linux_dmabuf_v1_create(display, renderer);
    wlr_xdg_output_manager_v1_create(display, output_layout);
    // Capture exists only when something trusted can use it: otherwise a level client
    // guessing global numbers could not even learn that it exists.
    if (trusted_socket_configured())
        wlr_screencopy_manager_v1_create(display); // trusted clients only: see global_filter

    xdg_shell = wlr_xdg_shell_create(display);
    new_xdg_surface_.connect(&xdg_shell->events.new_surface, [this](void *data) {
        handle_new_xdg_surface(static_cast<wlr_xdg_surface *>(data));
    });
    new_surface_.connect(&compositor->events.new_surface, [this](void *data) {
        handle_new_surface(static_cast<wlr_surface *>(data));
    });

    decoration_manager = wlr_xdg_decoration_manager_v1_create(display);
    new_decoration_.connect(
        &decoration_manager->events.new_toplevel_decoration, [this](void *data) {
            handle_new_decoration(static_cast<wlr_xdg_toplevel_decoration_v1 *>(data));
        });

    activation = wlr_xdg_activation_v1_create(display);
    request_activate_.connect(&activation->events.request_activate, [this](void *data) {
        handle_activation_request(
            static_cast<wlr_xdg_activation_v1_request_activate_event *>(data));
    });

    seat = wlr_seat_create(display, "seat0");
    wl_display_set_global_filter(display, &Server::global_filter, this);
    protocol_logger_ = wl_display_add_protocol_logger(display, &Server::protocol_logger, this);
    client_created_.attach(
        [this](wl_listener *link) { wl_display_add_client_created_listener(display, link); },
        [this](void *data) { handle_client_created_event(static_cast<wl_client *>(data)); });
}

bool Server::start(std::string &error)
{
    display = wl_display_create();
    loop = wl_display_get_event_loop(display);
    if (!options.event_log.empty() && !events.open(options.event_log)) {
        error = "cannot open the event log " + options.event_log + ": " + strerror(errno);
        return false;
    }
    if (!create_backend(error))
        return false;

    output_layout = wlr_output_layout_create();
    scene = wlr_scene_create();
    wlr_scene_attach_output_layout(scene, output_layout);
    layers.background = wlr_scene_tree_create(&scene->node);
    layers.views = wlr_scene_tree_create(&scene->node);
    layers.panels = wlr_scene_tree_create(&scene->node);
    layers.overlay = wlr_scene_tree_create(&scene->node);
    layers.lock = wlr_scene_tree_create(&scene->node);
    wlr_scene_node_set_enabled(&layers.lock->node, false);

    create_globals();
    input = std::make_unique<InputManager>(*this);
    overview = std::make_unique<Overview>(*this);
    panel_list = std::make_unique<PanelList>(*this);

    new_output_.connect(&backend->events.new_output,
                        [this](void *data) { handle_new_output(static_cast<wlr_output *>(data)); });

    if (!create_sockets(error))
        return false;
    if (plain_socket_level() >= 0) {
        // The plain wayland-N socket, served as the configured level.
        const char *socket = nullptr;
        if (options.socket_name.empty())
            socket = wl_display_add_socket_auto(display);
        else if (wl_display_add_socket(display, options.socket_name.c_str()) == 0)
            socket = options.socket_name.c_str();
        if (!socket) {
            error = "cannot create the Wayland socket" +
                    (options.socket_name.empty() ? std::string() : " " + options.socket_name);
            return false;
        }
        socket_name = socket;
    } else {
        // No plain socket: programs Rampart starts itself go to the lowest level.
        socket_name = config::resolve_socket_path(
            config.levels.levels.front().socket,
            getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "/tmp");
    }

    // Before any output exists: locked from the first frame when asked to, or when this
    // session's last run ended locked.
    if (!start_control_socket(error))
        return false;
    lock_screen = std::make_unique<LockScreen>(*this);
    lock_screen->restore(options.start_locked);

    if (headless_backend)
        for (int i = 0; i < options.headless_outputs; ++i)
            wlr_headless_add_output(headless_backend, static_cast<unsigned>(options.headless_width),
                                    static_cast<unsigned>(options.headless_height));
    start_panel_clock();
    if (!wlr_backend_start(backend)) {
        error = "cannot start the backend";
        return false;
    }
    lock_screen->backend_started();
    lock_screen->connect_session();
    if (options.handle_signals) {
        for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
            signal_sources_.push_back(wl_event_loop_add_signal(
                loop, signal,
                [](int number, void *data) {
                    static_cast<Server *>(data)->handle_signal(number);
                    return 0;
                },
                this));
    }
    setenv("WAYLAND_DISPLAY", socket_name.c_str(), 1);
    events.emit("ready", {{"socket", socket_name}, {"pid", static_cast<int64_t>(getpid())}});
    log::info("running on WAYLAND_DISPLAY=%s", socket_name.c_str());
    return true;
}

bool Server::trusted_socket_configured() const
{
    return !options.trusted_socket_path.empty() || !config.levels.trusted_socket.empty();
}

void Server::run()
{
    wl_display_run(display);
}
void Server::terminate()
{
    wl_display_terminate(display);
}

void Server::handle_signal(int signal)
{
    switch (signal) {
    case SIGHUP: {
        std::string error;
        reload_config(error);
        break;
    }
    case SIGCHLD: reap_children(); break;
    default: terminate(); break;
    }
}

bool Server::reload_config(std::string &error)
{
    config::LoadResult result = config::load(options.system_config_path, options.user_config_path);
    if (!result.config) {
        error = result.error ? result.error->to_string() : "unknown config error";
        log::error("config reload refused, keeping the running config: %s", error.c_str());
        events.emit("config_error", {{"message", error}});
        return false;
    }
    apply_config(*result.config);
    arm_panel_clock();
    schedule_panel_update();
    log::info("config reloaded");
    events.emit("config_reloaded");
    return true;
}

void Server::apply_config(const config::Config &new_config)
{
    // Levels and their sockets are fixed for the session: clients are tagged with them.
    config::LevelsConfig running_levels = config.levels;
    config = new_config;
    auto same_level = [](const config::LevelConfig &a, const config::LevelConfig &b) {
        return a.id == b.id && a.name == b.name && a.glyph == b.glyph && a.color == b.color &&
               a.text_color == b.text_color && a.socket == b.socket &&
               a.max_windows == b.max_windows;
    };
    const auto &now = new_config.levels;
    bool same =
        now.levels.size() == running_levels.levels.size() &&
        now.plain_socket_level == running_levels.plain_socket_level &&
        std::equal(now.levels.begin(), now.levels.end(), running_levels.levels.begin(), same_level);
    if (!same)
        log::warning("level changes take effect when Rampart restarts; keeping the running levels");
    config.levels = running_levels;
    log::set_level(static_cast<log::Level>(config.log_level));
    input->apply_config();
    for (auto &output : outputs)
        output->apply_config(); // mode, scale, position, and where the panel sits
    for (auto &view : views)
        view->frame->set_extents(view->frame_extents());
    arrange_all();
    if (lock_screen)
        lock_screen->apply_config();
}

void Server::handle_new_output(wlr_output *wlr_output)
{
    outputs.push_back(std::make_unique<Output>(*this, wlr_output));
    arrange_all();
}

bool Server::locked() const
{
    return lock_screen && lock_screen->engaged();
}

void Server::lock(const std::string &reason)
{
    if (lock_screen)
        lock_screen->lock(reason);
}

void Server::output_destroyed(Output *output)
{
    if (lock_screen)
        lock_screen->output_removed(*output);
    for (auto it = outputs.begin(); it != outputs.end(); ++it) {
        if (it->get() != output)
            continue;
        std::string name = output->name();
        wlr_output_layout_remove(output_layout, output->wlr);
        outputs.erase(it);
        events.emit("output_removed", {{"output", name}});
        log::info("output %s removed", name.c_str());
        break;
    }
    arrange_all(); // windows on the lost output move to one that remains
    if (panel_list)
        panel_list->close();
    if (overview)
        overview->refresh();
}

void Server::arrange_all()
{
    for (auto &view : views) {
        if (!view->mapped())
            continue;
        Output *output = output_for_view(view.get());
        if (!output)
            output = primary_output();
        if (output)
            view->fit_to_output(*output);
    }
}

Output *Server::output_at(double lx, double ly) const
{
    wlr_output *found = wlr_output_layout_output_at(output_layout, lx, ly);
    for (auto &output : outputs)
        if (output->wlr == found)
            return output.get();
    return nullptr;
}

Output *Server::primary_output() const
{
    // The first output that is in the layout: a disabled one never gets windows.
    for (auto &output : outputs)
        if (wlr_output_layout_get(output_layout, output->wlr))
            return output.get();
    return nullptr;
}

Output *Server::output_for_view(const View *view) const
{
    wm::Box outer = view->outer_box();
    // The output holding the frame's centre, else the one holding the title bar.
    if (Output *output = output_at(outer.x + outer.width / 2.0, outer.y + outer.height / 2.0))
        return output;
    if (Output *output = output_at(outer.x + 1, outer.y + 1))
        return output;
    return nullptr;
}

std::optional<wm::Box> Server::clip_for_node(wlr_scene_node *node) const
{
    if (!node->data)
        return std::nullopt;
    const auto *tag = static_cast<const SceneTag *>(node->data);
    switch (tag->kind) {
    case SceneTag::Kind::view_content: return tag->view->content_box();
    case SceneTag::Kind::popup: return tag->popup->clip_box();
    case SceneTag::Kind::popup_frame: return tag->popup->frame_box();
    case SceneTag::Kind::view_frame: return std::nullopt;
    }
    return std::nullopt;
}

// The topmost node drawn at (lx, ly): like wlr_scene_node_at, but a node counts only inside
// the clip the render pass draws it with, so content that is never shown takes no input.
wlr_scene_node *Server::node_at(wlr_scene_node *node, int parent_x, int parent_y, double lx,
                                double ly, std::optional<wm::Box> clip, double *nx,
                                double *ny) const
{
    if (!node->state.enabled)
        return nullptr;
    int x = parent_x + node->state.x, y = parent_y + node->state.y;
    if (std::optional<wm::Box> own = clip_for_node(node))
        clip = own;
    wlr_scene_node *child;
    wl_list_for_each_reverse (child, &node->state.children, state.link) {
        if (wlr_scene_node *found = node_at(child, x, y, lx, ly, clip, nx, ny))
            return found;
    }
    if (clip && !clip->contains(static_cast<int>(std::floor(lx)), static_cast<int>(std::floor(ly))))
        return nullptr;
    double local_x = lx - x, local_y = ly - y;
    int width = 0, height = 0;
    switch (node->type) {
    case WLR_SCENE_NODE_SURFACE: {
        wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
        if (!wlr_surface_point_accepts_input(surface, local_x, local_y))
            return nullptr;
        *nx = local_x;
        *ny = local_y;
        return node;
    }
    case WLR_SCENE_NODE_RECT: {
        auto *rect = reinterpret_cast<wlr_scene_rect *>(node);
        width = rect->width;
        height = rect->height;
        break;
    }
    case WLR_SCENE_NODE_BUFFER: {
        auto *buffer = reinterpret_cast<wlr_scene_buffer *>(node);
        width = buffer->dst_width > 0 ? buffer->dst_width : buffer->buffer->width;
        height = buffer->dst_height > 0 ? buffer->dst_height : buffer->buffer->height;
        break;
    }
    default: return nullptr;
    }
    if (local_x < 0 || local_y < 0 || local_x >= width || local_y >= height)
        return nullptr;
    *nx = local_x;
    *ny = local_y;
    return node;
}

View *Server::view_at(double lx, double ly, wlr_surface **surface, double *sx, double *sy) const
{
    *surface = nullptr;
    wlr_scene_node *node = node_at(&scene->node, 0, 0, lx, ly, std::nullopt, sx, sy);
    if (!node)
        return nullptr;
    const SceneTag *tag = find_scene_tag(node);
    if (!tag)
        return nullptr;
    if (node->type == WLR_SCENE_NODE_SURFACE)
        *surface = wlr_scene_surface_from_node(node)->surface;
    return tag->view;
}

void Server::handle_new_xdg_surface(wlr_xdg_surface *surface)
{
    if (surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
        if (window_limit_reached(surface))
            return;
        views.push_back(std::make_unique<View>(*this, surface));
    } else if (surface->role == WLR_XDG_SURFACE_ROLE_POPUP)
        popups.push_back(std::make_unique<Popup>(*this, surface));
}

void Server::popup_destroyed(Popup *popup)
{
    std::erase_if(popups, [popup](const auto &p) { return p.get() == popup; });
}

void Server::handle_new_decoration(wlr_xdg_toplevel_decoration_v1 *decoration)
{
    // Rampart always draws the frame: whatever the client asks, the answer is server-side.
    auto record = std::make_unique<DecorationRecord>();
    DecorationRecord *raw = record.get();
    raw->request_mode.connect(&decoration->events.request_mode, [decoration](void *) {
        wlr_xdg_toplevel_decoration_v1_set_mode(decoration,
                                                WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
    });
    raw->destroy.connect(&decoration->events.destroy, [this, raw](void *) {
        std::erase_if(decorations_, [raw](const auto &d) { return d.get() == raw; });
    });
    decorations_.push_back(std::move(record));
    wlr_xdg_toplevel_decoration_v1_set_mode(decoration,
                                            WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
}

void Server::handle_new_surface(wlr_surface *surface)
{
    surface_guards_.push_back(std::make_unique<SurfaceGuard>(*this, surface));
}

void Server::surface_guard_done(SurfaceGuard *guard)
{
    std::erase_if(surface_guards_, [guard](const auto &g) { return g.get() == guard; });
}

void Server::view_mapped(View *view)
{
    View *focused = focused_view();
    // While locked nothing takes focus: a window mapped behind the lock must not be the one
    // the user types into after unlocking.
    bool take_focus = !locked() && wm::new_window_takes_focus(user_is_typing(), focused != nullptr);
    focus_order.push_back(view);
    wm::Box content = view->content_box();
    events.emit("view_mapped", {{"view", static_cast<int64_t>(view->id)},
                                {"title", view->title()},
                                {"app_id", view->app_id()},
                                {"pid", static_cast<int64_t>(view->pid())},
                                {"x", static_cast<int64_t>(content.x)},
                                {"y", static_cast<int64_t>(content.y)}});
    if (take_focus) {
        focus_view(view);
    } else {
        // Keep it below the window being typed into: a window that appears on top of the
        // user's work could pose as part of it.
        wlr_scene_node_place_below(&view->tree->node, &focused->tree->node);
        events.emit("focus_kept", {{"view", static_cast<int64_t>(view->id)}});
    }
    input->refresh_pointer_focus();
    overview->refresh();
    schedule_panel_update();
}

void Server::view_unmapped(View *view)
{
    bool was_focused = focused_ == view;
    if (was_focused)
        focused_ = nullptr;
    std::erase(focus_order, view);
    std::erase(cycle_snapshot_, view);
    input->view_gone(view);
    events.emit("view_unmapped", {{"view", static_cast<int64_t>(view->id)}});
    overview->refresh();
    schedule_panel_update();
    if (was_focused) {
        if (!focus_order.empty())
            focus_view(focus_order.front());
        else
            input->keyboard_focus_changed(nullptr);
    }
    input->refresh_pointer_focus();
}

void Server::view_destroyed(View *view)
{
    if (focused_ == view)
        focused_ = nullptr;
    std::erase(focus_order, view);
    std::erase(cycle_snapshot_, view);
    input->view_gone(view);
    std::erase_if(views, [view](const auto &v) { return v.get() == view; });
}

View *Server::focused_view() const
{
    return focused_;
}

void Server::focus_view(View *view, bool raise, bool remember)
{
    if (!view || !view->mapped() || locked())
        return; // focus is frozen while locked (see LockScreen::release_scene)
    View *previous = focused_;
    if (raise)
        wlr_scene_node_raise_to_top(&view->tree->node);
    if (remember) {
        std::erase(focus_order, view);
        focus_order.insert(focus_order.begin(), view);
    }
    if (previous == view && seat->keyboard_state.focused_surface == view->surface())
        return;
    if (previous && previous != view)
        previous->set_activated(false);
    focused_ = view;
    view->set_activated(true);
    // Focus moving into another level is shown on the panel at once, with a flash.
    if (previous && previous->level() != view->level())
        start_level_flash();
    schedule_panel_update();
    input->keyboard_focus_changed(view);
    events.emit("view_focused", {{"view", static_cast<int64_t>(view->id)}});
}

void Server::cycle_focus(bool forward)
{
    if (focus_order.size() < 2)
        return;
    if (cycle_snapshot_.empty()) {
        cycle_snapshot_ = focus_order;
        cycle_index_ = 0;
    }
    int count = static_cast<int>(cycle_snapshot_.size());
    cycle_index_ = ((cycle_index_ + (forward ? 1 : -1)) % count + count) % count;
    View *next = cycle_snapshot_[static_cast<size_t>(cycle_index_)];
    focus_view(next, true, false);
}

void Server::end_focus_cycle()
{
    if (cycle_snapshot_.empty())
        return;
    cycle_snapshot_.clear();
    if (focused_) {
        std::erase(focus_order, focused_);
        focus_order.insert(focus_order.begin(), focused_);
    }
}

void Server::close_focused()
{
    if (View *view = focused_view())
        view->close();
}

void Server::send_to_output(View *view, const std::string &which)
{
    if (!view || outputs.size() < 2)
        return;
    Output *current = output_for_view(view);
    size_t index = 0;
    for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].get() == current)
            index = i;
    Output *target = nullptr;
    if (which == "next" || which.empty())
        target = outputs[(index + 1) % outputs.size()].get();
    else if (which == "prev")
        target = outputs[(index + outputs.size() - 1) % outputs.size()].get();
    else
        for (auto &output : outputs)
            if (which == output->name())
                target = output.get();
    if (!target || target == current)
        return;
    // Keep the window's place relative to its output.
    wm::Box from = current ? current->usable_box() : wm::Box{};
    wm::Box to = target->usable_box();
    wm::Box outer = view->outer_box();
    view->move_to(to.x + (outer.x - from.x), to.y + (outer.y - from.y));
    view->fit_to_output(*target);
    if (!to.contains(view->outer_box().x, view->outer_box().y))
        view->move_to(to.x, to.y);
    events.emit("view_output", {{"view", static_cast<int64_t>(view->id)},
                                {"output", std::string(target->name())}});
}

void Server::note_user_typed()
{
    last_key_time_ = std::chrono::steady_clock::now();
}

bool Server::user_is_typing() const
{
    if (last_key_time_ == std::chrono::steady_clock::time_point{})
        return false;
    return std::chrono::steady_clock::now() - last_key_time_ <
           std::chrono::milliseconds(config.window.typing_grace_ms);
}

void Server::handle_activation_request(wlr_xdg_activation_v1_request_activate_event *event)
{
    if (!wlr_surface_is_xdg_surface(event->surface))
        return;
    wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(event->surface);
    if (!xdg || xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL || !xdg->data)
        return;
    const SceneTag *tag = find_scene_tag(static_cast<wlr_scene_node *>(xdg->data));
    View *view = tag ? tag->view : nullptr;
    View *focused = focused_view();
    if (!view || !view->mapped() || view == focused)
        return;
    if (locked()) {
        events.emit("activation_refused",
                    {{"view", static_cast<int64_t>(view->id)}, {"reason", std::string("locked")}});
        return;
    }
    // A token made by another level's client must not move focus into this level; a token
    // whose maker is no longer known (no live token object, no surface) is refused too.
    const wlr_xdg_activation_token_v1 *token = event->token;
    const wl_client *token_client = token->resource ? wl_resource_get_client(token->resource)
                                    : token->surface
                                        ? wl_resource_get_client(token->surface->resource)
                                        : nullptr;
    if (!token_client ||
        (level_of(token_client) != view->level() && level_of(token_client) != trusted_level)) {
        log::security_event(log::Level::warning, "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e04",
                            "activation of a " + level_name(view->level()) +
                                " window with a token from level " +
                                level_name(level_of(token_client)) + " refused");
        events.emit("activation_refused",
                    {{"view", static_cast<int64_t>(view->id)}, {"reason", std::string("level")}});
        return;
    }
    bool from_focused = focused && token_client &&
                        token_client == wl_resource_get_client(focused->surface()->resource);
    if (!wm::allow_activation(from_focused, user_is_typing(), focused != nullptr)) {
        log::info("activation of window %llu refused: the user is typing in another window",
                  static_cast<unsigned long long>(view->id));
        events.emit("activation_refused", {{"view", static_cast<int64_t>(view->id)}});
        return;
    }
    focus_view(view);
}

void Server::run_action(config::Action action, const std::string &argument, Keyboard *keyboard)
{
    using config::Action;
    switch (action) {
    case Action::spawn: spawn(argument); break;
    case Action::close: close_focused(); break;
    case Action::focus_next: cycle_focus(true); break;
    case Action::focus_prev: cycle_focus(false); break;
    case Action::maximize:
        if (View *view = focused_view())
            view->set_maximized(!view->maximized());
        break;
    case Action::fullscreen:
        if (View *view = focused_view())
            view->set_fullscreen(!view->fullscreen());
        break;
    case Action::send_to_output: send_to_output(focused_view(), argument); break;
    case Action::next_layout:
        if (keyboard)
            keyboard->next_layout();
        break;
    case Action::lock: lock(keyboard ? "binding" : "panel"); break;
    case Action::reload: {
        std::string error;
        reload_config(error);
        break;
    }
    case Action::exit: terminate(); break;
    }
}

void Server::spawn(const std::string &command)
{
    const char *argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = 0;
    int result = spawn_clean(pid, "/bin/sh", argv);
    if (result != 0) {
        log::error("cannot start \"%s\": %s", command.c_str(), strerror(result));
        return;
    }
    spawned_.insert(pid);
    events.emit("spawned", {{"pid", static_cast<int64_t>(pid)}, {"command", command}});
}

void Server::reap_children()
{
    // Only our own children: a test harness in the same process waits for its own.
    for (auto it = spawned_.begin(); it != spawned_.end();) {
        if (waitpid(*it, nullptr, WNOHANG) > 0)
            it = spawned_.erase(it);
        else
            ++it;
    }
}

} // namespace rampart
