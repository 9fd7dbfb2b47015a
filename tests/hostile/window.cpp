#include "window.hpp"

#include <vector>

namespace rampart::hostile {

namespace {

// Highest versions whose events this client implements.
constexpr uint32_t compositor_version = 4; // wl_surface.damage_buffer
constexpr uint32_t wm_base_version = 5;    // configure_bounds (v4), wm_capabilities (v5)

std::vector<uint32_t> array_values(const wl_array *array)
{
    const auto *begin = static_cast<const uint32_t *>(array->data);
    return {begin, begin + array->size / sizeof(uint32_t)};
}

std::string state_name(uint32_t state)
{
    switch (state) {
    case XDG_TOPLEVEL_STATE_MAXIMIZED: return "maximized";
    case XDG_TOPLEVEL_STATE_FULLSCREEN: return "fullscreen";
    case XDG_TOPLEVEL_STATE_RESIZING: return "resizing";
    case XDG_TOPLEVEL_STATE_ACTIVATED: return "activated";
    case XDG_TOPLEVEL_STATE_TILED_LEFT: return "tiled_left";
    case XDG_TOPLEVEL_STATE_TILED_RIGHT: return "tiled_right";
    case XDG_TOPLEVEL_STATE_TILED_TOP: return "tiled_top";
    case XDG_TOPLEVEL_STATE_TILED_BOTTOM: return "tiled_bottom";
    default: return "unknown:" + std::to_string(state);
    }
}

void handle_ping(void *, xdg_wm_base *wm_base, uint32_t serial)
{
    xdg_wm_base_pong(wm_base, serial);
}

} // namespace

bool bind_window_globals(const Connection &connection, Globals &globals, std::string &error)
{
    globals.compositor.reset(
        connection.bind<wl_compositor>(wl_compositor_interface, compositor_version));
    globals.subcompositor.reset(connection.bind<wl_subcompositor>(wl_subcompositor_interface, 1));
    globals.shm.reset(connection.bind<wl_shm>(wl_shm_interface, 1));
    globals.wm_base.reset(connection.bind<xdg_wm_base>(xdg_wm_base_interface, wm_base_version));
    globals.decoration_manager.reset(
        connection.bind<zxdg_decoration_manager_v1>(zxdg_decoration_manager_v1_interface, 1));
    if (globals.wm_base) {
        static const xdg_wm_base_listener listener = {.ping = &handle_ping};
        xdg_wm_base_add_listener(globals.wm_base.get(), &listener, nullptr);
    }
    const Global *compositor = connection.find(wl_compositor_interface.name);
    error = !compositor || compositor->version < compositor_version
                ? "compositor lacks wl_compositor version 4"
            : !globals.shm     ? "compositor lacks wl_shm"
            : !globals.wm_base ? "compositor lacks xdg_wm_base"
                               : "";
    return error.empty();
}

Window::Window(Globals &globals, WindowSpec spec)
    : globals_(globals), spec_(std::move(spec)), size_(spec_.size)
{
    surface_.reset(wl_compositor_create_surface(globals.compositor.get()));
    xdg_surface_.reset(xdg_wm_base_get_xdg_surface(globals.wm_base.get(), surface_.get()));
    static const xdg_surface_listener surface_listener = {
        .configure = &Window::handle_xdg_configure,
    };
    xdg_surface_add_listener(xdg_surface_.get(), &surface_listener, this);
    toplevel_.reset(xdg_surface_get_toplevel(xdg_surface_.get()));
    static const xdg_toplevel_listener toplevel_listener = {
        .configure = &Window::handle_configure,
        .close = &Window::handle_close,
        .configure_bounds = &Window::handle_configure_bounds,
        .wm_capabilities = &Window::handle_wm_capabilities,
    };
    xdg_toplevel_add_listener(toplevel_.get(), &toplevel_listener, this);
    xdg_toplevel_set_title(toplevel_.get(), spec_.title.c_str());
    xdg_toplevel_set_app_id(toplevel_.get(), "rampart-hostile-client");
    if (spec_.client_side_decoration && globals.decoration_manager) {
        decoration_.reset(zxdg_decoration_manager_v1_get_toplevel_decoration(
            globals.decoration_manager.get(), toplevel_.get()));
        static const zxdg_toplevel_decoration_v1_listener decoration_listener = {
            .configure = &Window::handle_decoration,
        };
        zxdg_toplevel_decoration_v1_add_listener(decoration_.get(), &decoration_listener, this);
        zxdg_toplevel_decoration_v1_set_mode(decoration_.get(),
                                             ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE);
    }
    wl_surface_commit(surface_.get()); // xdg-shell: no buffer before the first configure
}

Window::~Window() = default;

void Window::set_title(const std::string &title)
{
    xdg_toplevel_set_title(toplevel_.get(), title.c_str());
}

void Window::handle_configure(void *data, xdg_toplevel *, int32_t width, int32_t height,
                              wl_array *states)
{
    auto *self = static_cast<Window *>(data);
    self->configured_size_ = {width, height};
    if (self->spec_.quiet)
        return;
    std::vector<std::string> names;
    for (uint32_t state : array_values(states))
        names.push_back(state_name(state));
    Json::event("configure")
        .num("window", self->spec_.index)
        .num("width", width)
        .num("height", height)
        .strs("states", names)
        .print();
}

void Window::handle_xdg_configure(void *data, xdg_surface *surface, uint32_t serial)
{
    auto *self = static_cast<Window *>(data);
    xdg_surface_ack_configure(surface, serial);
    self->configured_ = true;
    Size wanted = self->spec_.size;
    if (!self->spec_.ignore_configure && self->configured_size_.width > 0 &&
        self->configured_size_.height > 0)
        wanted = self->configured_size_;
    if (!self->mapped_ || wanted != self->size_) {
        self->size_ = wanted;
        self->render();
    } else {
        self->commit(); // applies the ack
    }
}

void Window::render()
{
    wl_buffer *buffer = nullptr;
    if (spec_.shared_buffer) {
        buffer = spec_.shared_buffer->buffer();
        size_ = spec_.shared_buffer->size();
    } else {
        std::string error;
        buffer_ = ShmBuffer::create(globals_.shm.get(), size_, error);
        if (!buffer_) {
            Json::event("error").num("window", spec_.index).str("detail", error).print();
            return;
        }
        if (spec_.paint)
            spec_.paint(*buffer_);
        else
            buffer_->fill(spec_.color);
        buffer = buffer_->buffer();
    }
    xdg_surface_set_window_geometry(xdg_surface_.get(), 0, 0, size_.width, size_.height);
    wl_surface_attach(surface_.get(), buffer, 0, 0);
    wl_surface_damage_buffer(surface_.get(), 0, 0, size_.width, size_.height);
    wl_surface_commit(surface_.get());
    mapped_ = true; // "mapped" is printed by whoever waits for it, after a roundtrip
}

void Window::handle_close(void *data, xdg_toplevel *)
{
    auto *self = static_cast<Window *>(data);
    self->closed_ = true;
    if (!self->spec_.quiet)
        Json::event("close").num("window", self->spec_.index).print();
}

void Window::handle_configure_bounds(void *data, xdg_toplevel *, int32_t width, int32_t height)
{
    auto *self = static_cast<Window *>(data);
    if (!self->spec_.quiet)
        Json::event("configure_bounds")
            .num("window", self->spec_.index)
            .num("width", width)
            .num("height", height)
            .print();
}

void Window::handle_wm_capabilities(void *, xdg_toplevel *, wl_array *) {}

void Window::handle_decoration(void *data, zxdg_toplevel_decoration_v1 *, uint32_t mode)
{
    auto *self = static_cast<Window *>(data);
    bool server = mode == ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
    Json::event("decoration")
        .num("window", self->spec_.index)
        .str("mode", server ? "server" : "client")
        .print();
}

Popup::Popup(Globals &globals, Window &parent, Rect rect, Color color, std::string &error)
{
    // Drawn now at the requested size: the configure will not change it.
    buffer_ = ShmBuffer::create(globals.shm.get(), {rect.width, rect.height}, error);
    if (!buffer_)
        return;
    buffer_->fill(color);
    xdg_positioner_ptr positioner(xdg_wm_base_create_positioner(globals.wm_base.get()));
    xdg_positioner_set_size(positioner.get(), rect.width, rect.height);
    xdg_positioner_set_anchor_rect(positioner.get(), rect.x, rect.y, 1, 1);
    xdg_positioner_set_anchor(positioner.get(), XDG_POSITIONER_ANCHOR_TOP_LEFT);
    xdg_positioner_set_gravity(positioner.get(), XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
    // No flip, slide or resize: the compositor may only keep it where asked or refuse.
    xdg_positioner_set_constraint_adjustment(positioner.get(),
                                             XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_NONE);
    surface_.reset(wl_compositor_create_surface(globals.compositor.get()));
    xdg_surface_.reset(xdg_wm_base_get_xdg_surface(globals.wm_base.get(), surface_.get()));
    static const xdg_surface_listener surface_listener = {
        .configure = &Popup::handle_xdg_configure,
    };
    xdg_surface_add_listener(xdg_surface_.get(), &surface_listener, this);
    popup_.reset(xdg_surface_get_popup(xdg_surface_.get(), parent.xdg(), positioner.get()));
    static const xdg_popup_listener popup_listener = {
        .configure = &Popup::handle_configure,
        .popup_done = &Popup::handle_done,
        .repositioned = &Popup::handle_repositioned,
    };
    xdg_popup_add_listener(popup_.get(), &popup_listener, this);
    wl_surface_commit(surface_.get());
}

Popup::~Popup() = default;

void Popup::handle_configure(void *data, xdg_popup *, int32_t x, int32_t y, int32_t width,
                             int32_t height)
{
    auto *self = static_cast<Popup *>(data);
    self->configured_rect_ = {x, y, width, height};
    Json::event("popup_configure")
        .num("x", x)
        .num("y", y)
        .num("width", width)
        .num("height", height)
        .print();
}

void Popup::handle_xdg_configure(void *data, xdg_surface *surface, uint32_t serial)
{
    auto *self = static_cast<Popup *>(data);
    xdg_surface_ack_configure(surface, serial);
    bool first = !self->configured_;
    self->configured_ = true;
    if (!first || self->dismissed_) {
        wl_surface_commit(self->surface_.get());
        return;
    }
    // Hostile: the requested size, even if the configure asked for less.
    Size size = self->buffer_->size();
    wl_surface_attach(self->surface_.get(), self->buffer_->buffer(), 0, 0);
    wl_surface_damage_buffer(self->surface_.get(), 0, 0, size.width, size.height);
    wl_surface_commit(self->surface_.get());
    Json::event("popup_mapped").num("width", size.width).num("height", size.height).print();
}

void Popup::handle_done(void *data, xdg_popup *)
{
    auto *self = static_cast<Popup *>(data);
    self->dismissed_ = true;
    Json::event("popup_done").print();
}

void Popup::handle_repositioned(void *, xdg_popup *, uint32_t token)
{
    Json::event("popup_repositioned").num("token", token).print();
}

} // namespace rampart::hostile
