#include "child_surfaces.hpp"

#include "client.hpp"

namespace rampart::test_client {

bool commit_solid(Client &client, wl_surface *surface, BufferPool &pool, Size size, Color color)
{
    std::string error;
    ShmBuffer *buffer = pool.acquire(size, error);
    if (!buffer) {
        // A fresh solid surface has at most one buffer in flight, so "all busy" is not
        // expected here; treat it like an allocation failure.
        client.fail(error.empty() ? "no free buffer for child surface" : error);
        return false;
    }
    paint_background(*buffer, color, false);
    if (!client.options().alpha) {
        wl_region_ptr region(wl_compositor_create_region(client.globals().compositor.get()));
        wl_region_add(region.get(), 0, 0, size.width, size.height);
        wl_surface_set_opaque_region(surface, region.get());
    }
    buffer->busy = true;
    wl_surface_attach(surface, buffer->buffer(), 0, 0);
    wl_surface_damage_buffer(surface, 0, 0, size.width, size.height);
    wl_surface_commit(surface);
    return true;
}

const xdg_surface_listener Popup::xdg_surface_listener_ = {
    .configure = &Popup::handle_xdg_surface_configure,
};

const xdg_popup_listener Popup::popup_listener_ = {
    .configure = &Popup::handle_configure,
    .popup_done = &Popup::handle_done,
    .repositioned = &Popup::handle_repositioned,
};

Popup::Popup(Client &client, int window, xdg_surface *parent, Rect placement, Color color)
    : client_(client), window_(window), color_(color), size_{placement.width, placement.height},
      pool_(client.globals().shm.get(), client.shm_format())
{
    const Globals &globals = client.globals();
    xdg_positioner_ptr positioner(xdg_wm_base_create_positioner(globals.wm_base.get()));
    xdg_positioner_set_size(positioner.get(), placement.width, placement.height);
    xdg_positioner_set_anchor_rect(positioner.get(), placement.x, placement.y, 1, 1);
    xdg_positioner_set_anchor(positioner.get(), XDG_POSITIONER_ANCHOR_TOP_LEFT);
    xdg_positioner_set_gravity(positioner.get(), XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
    xdg_positioner_set_constraint_adjustment(positioner.get(),
                                             XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_NONE);

    surface_.reset(wl_compositor_create_surface(globals.compositor.get()));
    xdg_surface_.reset(xdg_wm_base_get_xdg_surface(globals.wm_base.get(), surface_.get()));
    xdg_surface_add_listener(xdg_surface_.get(), &xdg_surface_listener_, this);
    popup_.reset(xdg_surface_get_popup(xdg_surface_.get(), parent, positioner.get()));
    xdg_popup_add_listener(popup_.get(), &popup_listener_, this);
    wl_surface_commit(surface_.get());
}

Popup::~Popup()
{
    dismiss();
}

void Popup::dismiss()
{
    popup_.reset();
    xdg_surface_.reset();
    surface_.reset();
}

void Popup::handle_xdg_surface_configure(void *data, xdg_surface *surface, uint32_t serial)
{
    auto *self = static_cast<Popup *>(data);
    xdg_surface_ack_configure(surface, serial);
    commit_solid(self->client_, self->surface_.get(), self->pool_, self->size_, self->color_);
}

void Popup::handle_configure(void *data, xdg_popup *, int32_t x, int32_t y, int32_t width,
                             int32_t height)
{
    auto *self = static_cast<Popup *>(data);
    if (width > 0 && height > 0)
        self->size_ = {width, height};
    self->client_.log(JsonLine("popup_configure")
                          .num("window", self->window_)
                          .num("x", x)
                          .num("y", y)
                          .num("width", width)
                          .num("height", height));
}

void Popup::handle_done(void *data, xdg_popup *)
{
    auto *self = static_cast<Popup *>(data);
    self->client_.log(JsonLine("popup_done").num("window", self->window_));
    // Destroying the xdg_popup from its own event handler is fine in libwayland.
    self->dismiss();
}

void Popup::handle_repositioned(void *data, xdg_popup *, uint32_t token)
{
    auto *self = static_cast<Popup *>(data);
    self->client_.log(
        JsonLine("popup_repositioned").num("window", self->window_).num("token", token));
}

Subsurface::Subsurface(Client &client, wl_surface *parent, Rect placement, Color color)
    : pool_(client.globals().shm.get(), client.shm_format())
{
    const Globals &globals = client.globals();
    surface_.reset(wl_compositor_create_surface(globals.compositor.get()));
    subsurface_.reset(
        wl_subcompositor_get_subsurface(globals.subcompositor.get(), surface_.get(), parent));
    wl_subsurface_set_position(subsurface_.get(), placement.x, placement.y);
    wl_subsurface_set_desync(subsurface_.get());
    commit_solid(client, surface_.get(), pool_, {placement.width, placement.height}, color);
}

} // namespace rampart::test_client
