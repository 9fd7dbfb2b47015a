// The optional children of the last window: an xdg_popup (to test constraint handling) and a
// desynchronised wl_subsurface. Both are plain solid-colour surfaces.
#pragma once

#include <cstdint>

#include "options.hpp"
#include "shm_buffer.hpp"
#include "wl_ptr.hpp"

namespace rampart::test_client {

class Client;

class Popup {
public:
    // Anchor rect (x,y,1,1) in the parent's window geometry, anchor top_left, gravity
    // bottom_right, no constraint adjustment: any fitting is the compositor's doing.
    Popup(Client &client, int window, xdg_surface *parent, Rect placement, Color color);
    ~Popup();
    Popup(const Popup &) = delete;
    Popup &operator=(const Popup &) = delete;

    wl_surface *surface() const { return surface_.get(); }

private:
    void dismiss();
    static void handle_xdg_surface_configure(void *data, xdg_surface *surface, uint32_t serial);
    static void handle_configure(void *data, xdg_popup *popup, int32_t x, int32_t y, int32_t width,
                                 int32_t height);
    static void handle_done(void *data, xdg_popup *popup);
    static void handle_repositioned(void *data, xdg_popup *popup, uint32_t token);

    static const xdg_surface_listener xdg_surface_listener_;
    static const xdg_popup_listener popup_listener_;

    Client &client_;
    int window_;
    Color color_;
    Size size_;
    BufferPool pool_;
    wl_surface_ptr surface_;
    xdg_surface_ptr xdg_surface_;
    xdg_popup_ptr popup_;
};

class Subsurface {
public:
    // Positioned at (x,y) of the parent surface; the position takes effect with the
    // parent's next commit.
    Subsurface(Client &client, wl_surface *parent, Rect placement, Color color);
    Subsurface(const Subsurface &) = delete;
    Subsurface &operator=(const Subsurface &) = delete;

    wl_surface *surface() const { return surface_.get(); }

private:
    BufferPool pool_;
    wl_surface_ptr surface_;
    wl_subsurface_ptr subsurface_;
};

// Paints `size` in `color` into a free pool buffer, attaches, damages all and commits.
// False (after client.fail) if no buffer could be had.
bool commit_solid(Client &client, wl_surface *surface, BufferPool &pool, Size size, Color color);

} // namespace rampart::test_client
