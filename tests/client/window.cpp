#include "window.hpp"

#include <algorithm>

#include "client.hpp"

namespace rampart::test_client {

namespace {

const char *state_name(uint32_t state)
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
    default: return nullptr;
    }
}

std::vector<uint32_t> array_values(const wl_array *array)
{
    const auto *begin = static_cast<const uint32_t *>(array->data);
    return {begin, begin + array->size / sizeof(uint32_t)};
}

} // namespace

const xdg_surface_listener Window::xdg_surface_listener_ = {
    .configure = &Window::handle_xdg_surface_configure,
};

const xdg_toplevel_listener Window::toplevel_listener_ = {
    .configure = &Window::handle_toplevel_configure,
    .close = &Window::handle_toplevel_close,
    .configure_bounds = &Window::handle_configure_bounds,
    .wm_capabilities = &Window::handle_wm_capabilities,
};

const zxdg_toplevel_decoration_v1_listener Window::decoration_listener_ = {
    .configure = &Window::handle_decoration_configure,
};

const wl_callback_listener Window::frame_listener_ = {
    .done = &Window::handle_frame_done,
};

Window::Window(Client &client, int index, std::string title, bool last)
    : client_(client), index_(index), last_(last),
      animated_(last && client.options().animate != Animate::none),
      pool_(client.globals().shm.get(), client.shm_format()), size_(client.options().size),
      floating_size_(client.options().size), color_(client.options().color)
{
    const Options &opts = client.options();
    const Globals &globals = client.globals();
    surface_.reset(wl_compositor_create_surface(globals.compositor.get()));
    xdg_surface_.reset(xdg_wm_base_get_xdg_surface(globals.wm_base.get(), surface_.get()));
    xdg_surface_add_listener(xdg_surface_.get(), &xdg_surface_listener_, this);
    toplevel_.reset(xdg_surface_get_toplevel(xdg_surface_.get()));
    xdg_toplevel_add_listener(toplevel_.get(), &toplevel_listener_, this);
    xdg_toplevel_set_title(toplevel_.get(), title.c_str());
    xdg_toplevel_set_app_id(toplevel_.get(), opts.app_id.c_str());

    if (globals.decoration_manager && opts.decoration != DecorationMode::none) {
        decoration_.reset(zxdg_decoration_manager_v1_get_toplevel_decoration(
            globals.decoration_manager.get(), toplevel_.get()));
        zxdg_toplevel_decoration_v1_add_listener(decoration_.get(), &decoration_listener_, this);
        zxdg_toplevel_decoration_v1_set_mode(decoration_.get(),
                                             opts.decoration == DecorationMode::server
                                                 ? ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE
                                                 : ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE);
    }
    if (opts.maximized)
        xdg_toplevel_set_maximized(toplevel_.get());
    if (opts.fullscreen)
        xdg_toplevel_set_fullscreen(toplevel_.get(), nullptr);
    // xdg-shell: no buffer until the first configure has been acked.
    wl_surface_commit(surface_.get());

    pool_.on_release = [this] {
        if (render_pending_)
            render();
    };
}

Window::~Window()
{
    close();
}

void Window::close()
{
    closed_ = true;
    popup_.reset();
    subsurface_.reset();
    frame_callback_.reset();
    decoration_.reset();
    toplevel_.reset();
    xdg_surface_.reset();
    surface_.reset();
}

void Window::handle_toplevel_configure(void *data, xdg_toplevel *, int32_t width, int32_t height,
                                       wl_array *states)
{
    auto *self = static_cast<Window *>(data);
    std::vector<std::string> names;
    bool floating = true;
    for (uint32_t state : array_values(states)) {
        const char *name = state_name(state);
        names.push_back(name ? name : "unknown:" + std::to_string(state));
        if (state != XDG_TOPLEVEL_STATE_ACTIVATED && state != XDG_TOPLEVEL_STATE_RESIZING)
            floating = false;
    }
    self->pending_size_ = {width, height};
    self->pending_floating_ = floating;
    self->client_.log(JsonLine("configure")
                          .num("window", self->index_)
                          .num("width", width)
                          .num("height", height)
                          .strs("states", names));
}

void Window::handle_xdg_surface_configure(void *data, xdg_surface *, uint32_t serial)
{
    static_cast<Window *>(data)->handle_configure(serial);
}

void Window::handle_configure(uint32_t serial)
{
    xdg_surface_ack_configure(xdg_surface_.get(), serial);
    last_configure_serial_ = serial;

    // A zero dimension means "client's choice": keep the floating size for it, which also
    // restores the pre-maximize size when a compositor unmaximizes with 0x0.
    Size wanted{pending_size_.width > 0 ? pending_size_.width : floating_size_.width,
                pending_size_.height > 0 ? pending_size_.height : floating_size_.height};
    if (pending_floating_)
        floating_size_ = wanted;
    if (!forced_size_)
        size_ = wanted;

    bool first = !configured_;
    configured_ = true;
    const Options &opts = client_.options();
    if (first && last_ && opts.subsurface) {
        if (!client_.globals().subcompositor) {
            client_.fail("--subsurface: compositor has no wl_subcompositor");
            return;
        }
        // Committed before the parent's first buffer so both appear together.
        subsurface_ = std::make_unique<Subsurface>(client_, surface_.get(), *opts.subsurface,
                                                   opts.subsurface_color);
    }
    if (!mapped_ || size_ != committed_size_ || render_pending_)
        render();
    else
        wl_surface_commit(surface_.get()); // applies the ack
}

void Window::handle_toplevel_close(void *data, xdg_toplevel *)
{
    auto *self = static_cast<Window *>(data);
    self->client_.log(JsonLine("close").num("window", self->index_));
    self->client_.window_closed(*self);
}

void Window::handle_configure_bounds(void *data, xdg_toplevel *, int32_t width, int32_t height)
{
    auto *self = static_cast<Window *>(data);
    self->client_.log(JsonLine("configure_bounds")
                          .num("window", self->index_)
                          .num("width", width)
                          .num("height", height));
}

void Window::handle_wm_capabilities(void *data, xdg_toplevel *, wl_array *caps)
{
    auto *self = static_cast<Window *>(data);
    std::vector<std::string> names;
    for (uint32_t cap : array_values(caps)) {
        switch (cap) {
        case XDG_TOPLEVEL_WM_CAPABILITIES_WINDOW_MENU: names.push_back("window_menu"); break;
        case XDG_TOPLEVEL_WM_CAPABILITIES_MAXIMIZE: names.push_back("maximize"); break;
        case XDG_TOPLEVEL_WM_CAPABILITIES_FULLSCREEN: names.push_back("fullscreen"); break;
        case XDG_TOPLEVEL_WM_CAPABILITIES_MINIMIZE: names.push_back("minimize"); break;
        default: names.push_back("unknown:" + std::to_string(cap));
        }
    }
    self->client_.log(
        JsonLine("wm_capabilities").num("window", self->index_).strs("capabilities", names));
}

void Window::handle_decoration_configure(void *data, zxdg_toplevel_decoration_v1 *, uint32_t mode)
{
    auto *self = static_cast<Window *>(data);
    bool server = mode == ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
    self->client_.log(JsonLine("decoration")
                          .num("window", self->index_)
                          .str("mode", server ? "server" : "client"));
}

void Window::handle_frame_done(void *data, wl_callback *, uint32_t)
{
    auto *self = static_cast<Window *>(data);
    self->frame_callback_.reset(); // destroying a wl_callback in its handler is allowed
    if (self->client_.frame_done())
        self->render();
}

Color Window::frame_color(uint64_t frame) const
{
    // Walk each channel at a different speed so consecutive frames always differ.
    auto shift = [&](int bit, uint64_t step) {
        return uint32_t(((color_ >> bit) + frame * step) & 0xff) << bit;
    };
    return (color_ & 0xff000000u) | shift(16, 3) | shift(8, 5) | shift(0, 7);
}

Rect Window::square_for_frame(uint64_t frame) const
{
    // Moves 4 px a frame along a row inside the 1-px border, wrapping to the next row.
    int32_t side = std::max(1, std::min({32, size_.width - 2, size_.height - 2}));
    int64_t columns = std::max(1, size_.width - 2 - side + 1);
    int64_t rows = std::max(1, (size_.height - 2) / side);
    int64_t step = int64_t(frame) * 4;
    auto x = int32_t(step % columns);
    auto row = int32_t((step / columns) % rows);
    return {1 + x, 1 + row * side, side, side};
}

void Window::damage(Rect rect)
{
    wl_surface_damage_buffer(surface_.get(), rect.x, rect.y, rect.width, rect.height);
}

void Window::render()
{
    if (!configured_ || closed_)
        return;
    std::string error;
    ShmBuffer *buffer = pool_.acquire(size_, error);
    if (!buffer) {
        if (!error.empty())
            client_.fail(error);
        else
            render_pending_ = true; // the next buffer release calls render() again
        return;
    }
    render_pending_ = false;

    const Options &opts = client_.options();
    const bool size_changed = size_ != committed_size_;
    if (size_changed)
        ++generation_;
    const uint64_t frame = animated_ ? client_.frame_count() : 0;
    const bool region_mode = animated_ && opts.animate == Animate::region;
    std::optional<Rect> square;

    if (animated_ && opts.animate == Animate::full) {
        paint_background(*buffer, frame_color(frame), opts.pattern);
        buffer->painted_generation = 0; // contents no longer the plain background
    } else {
        if (buffer->painted_generation != generation_) {
            paint_background(*buffer, color_, opts.pattern);
            buffer->painted_generation = generation_;
            buffer->square.reset();
        }
        if (region_mode) {
            // This buffer still shows the square from the frame it was last used for.
            if (buffer->square)
                fill_rect(*buffer, *buffer->square, premultiply(color_));
            square = square_for_frame(frame);
            Color inverse = frame_color(frame) ^ 0x00ffffffu; // contrasts with the background
            fill_rect(*buffer, *square, premultiply(inverse));
            buffer->square = square;
        }
    }

    if (size_changed)
        update_geometry();
    buffer->busy = true;
    wl_surface_attach(surface_.get(), buffer->buffer(), 0, 0);
    if (region_mode && generation_ == committed_generation_) {
        // Damage is relative to what was on screen: old square plus new square.
        if (committed_square_)
            damage(*committed_square_);
        damage(*square);
    } else {
        damage({0, 0, size_.width, size_.height});
    }
    if (animated_ && !frame_callback_) {
        frame_callback_.reset(wl_surface_frame(surface_.get()));
        wl_callback_add_listener(frame_callback_.get(), &frame_listener_, this);
    }
    wl_surface_commit(surface_.get());
    committed_size_ = size_;
    committed_generation_ = generation_;
    committed_square_ = square;

    if (!mapped_) {
        mapped_ = true;
        client_.log(JsonLine("mapped").num("window", index_));
        if (last_)
            after_first_map();
        client_.window_mapped(*this);
    }
}

void Window::update_geometry()
{
    xdg_surface_set_window_geometry(xdg_surface_.get(), 0, 0, size_.width, size_.height);
    if (client_.options().alpha) {
        wl_surface_set_opaque_region(surface_.get(), nullptr);
    } else {
        wl_region_ptr region(wl_compositor_create_region(client_.globals().compositor.get()));
        wl_region_add(region.get(), 0, 0, size_.width, size_.height);
        wl_surface_set_opaque_region(surface_.get(), region.get());
    }
    client_.log(JsonLine("buffer_size")
                    .num("window", index_)
                    .num("width", size_.width)
                    .num("height", size_.height));
}

void Window::after_first_map()
{
    const Options &opts = client_.options();
    if (opts.popup)
        popup_ = std::make_unique<Popup>(client_, index_, xdg_surface_.get(), *opts.popup,
                                         opts.popup_color);
    if (opts.request_size) {
        forced_size_ = opts.request_size;
        size_ = *forced_size_;
        render();
    }
    if (opts.protocol_error)
        provoke_protocol_error();
}

void Window::provoke_protocol_error()
{
    // A serial the compositor never sent: xdg_wm_base.invalid_surface_state in both
    // wlroots and weston. Then keep running until the compositor disconnects us.
    uint32_t bogus = last_configure_serial_ + 0x40000000u;
    client_.log(JsonLine("protocol_error_sent").num("window", index_).num("serial", bogus));
    xdg_surface_ack_configure(xdg_surface_.get(), bogus);
    wl_surface_commit(surface_.get());
}

void Window::set_title(const std::string &title)
{
    xdg_toplevel_set_title(toplevel_.get(), title.c_str());
}

void Window::set_fullscreen(bool on)
{
    if (on)
        xdg_toplevel_set_fullscreen(toplevel_.get(), nullptr);
    else
        xdg_toplevel_unset_fullscreen(toplevel_.get());
}

void Window::set_maximized(bool on)
{
    if (on)
        xdg_toplevel_set_maximized(toplevel_.get());
    else
        xdg_toplevel_unset_maximized(toplevel_.get());
}

void Window::set_color(Color color)
{
    color_ = color;
    ++generation_;
    render();
}

void Window::resize(Size size)
{
    // Client-initiated: used until the compositor configures a non-zero size.
    floating_size_ = size;
    size_ = size;
    forced_size_.reset();
    render();
}

} // namespace rampart::test_client
