// One xdg_toplevel with its shm buffers, optional decoration, and (last window only) the
// animation and the popup / subsurface / oversize / protocol-error extras from the command
// line. The last window maps last, so it is the topmost and focused one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_surfaces.hpp"
#include "options.hpp"
#include "shm_buffer.hpp"
#include "wl_ptr.hpp"

namespace rampart::test_client {

class Client;

class Window {
public:
    // Creates the surface and role objects and does the initial (bufferless) commit.
    Window(Client &client, int index, std::string title, bool last);
    ~Window();
    Window(const Window &) = delete;
    Window &operator=(const Window &) = delete;

    int index() const { return index_; }
    bool mapped() const { return mapped_; }
    bool closed() const { return closed_; }
    wl_surface *surface() const { return surface_.get(); }
    wl_surface *popup_surface() const { return popup_ ? popup_->surface() : nullptr; }
    wl_surface *subsurface_surface() const
    {
        return subsurface_ ? subsurface_->surface() : nullptr;
    }

    // stdin commands.
    void set_title(const std::string &title);
    void set_fullscreen(bool on);
    void set_maximized(bool on);
    void set_color(Color color);
    void resize(Size size);
    // Tears down all Wayland objects; the client then drops this window.
    void close();

private:
    void handle_configure(uint32_t serial);
    void render();
    void update_geometry();
    void after_first_map();
    void provoke_protocol_error();
    Rect square_for_frame(uint64_t frame) const;
    Color frame_color(uint64_t frame) const;
    void damage(Rect rect);

    static void handle_xdg_surface_configure(void *data, xdg_surface *surface, uint32_t serial);
    static void handle_toplevel_configure(void *data, xdg_toplevel *toplevel, int32_t width,
                                          int32_t height, wl_array *states);
    static void handle_toplevel_close(void *data, xdg_toplevel *toplevel);
    static void handle_configure_bounds(void *data, xdg_toplevel *toplevel, int32_t width,
                                        int32_t height);
    static void handle_wm_capabilities(void *data, xdg_toplevel *toplevel, wl_array *caps);
    static void handle_decoration_configure(void *data, zxdg_toplevel_decoration_v1 *decoration,
                                            uint32_t mode);
    static void handle_frame_done(void *data, wl_callback *callback, uint32_t time);

    static const xdg_surface_listener xdg_surface_listener_;
    static const xdg_toplevel_listener toplevel_listener_;
    static const zxdg_toplevel_decoration_v1_listener decoration_listener_;
    static const wl_callback_listener frame_listener_;

    Client &client_;
    const int index_;
    const bool last_; // gets the extras
    const bool animated_;

    // Member order is teardown order in reverse: children and role objects go before the
    // wl_surface (xdg-shell requires it), buffers go last.
    BufferPool pool_;
    wl_surface_ptr surface_;
    xdg_surface_ptr xdg_surface_;
    xdg_toplevel_ptr toplevel_;
    zxdg_toplevel_decoration_v1_ptr decoration_;
    wl_callback_ptr frame_callback_;
    std::unique_ptr<Subsurface> subsurface_;
    std::unique_ptr<Popup> popup_;

    // Sizes: the one we draw at, the last committed one, the one to return to when a
    // maximized/fullscreen state ends with a 0x0 configure, and the configure's.
    Size size_;
    Size committed_size_;
    Size floating_size_;
    Size pending_size_;
    bool pending_floating_ = true;    // configure had no maximized/fullscreen/tiled state
    std::optional<Size> forced_size_; // --request-size: ignore configures from then on
    uint32_t last_configure_serial_ = 0;

    Color color_;
    uint64_t generation_ = 1; // bumped when the background changes
    uint64_t committed_generation_ = 0;
    std::optional<Rect> committed_square_;
    bool configured_ = false;
    bool mapped_ = false;
    bool closed_ = false;
    bool render_pending_ = false; // all buffers were busy; redraw on release
};

} // namespace rampart::test_client
