// A plain xdg toplevel for the window attacks: acks every configure, draws with a painter,
// and can be told to ignore the compositor's size (a hostile client may).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "connection.hpp"
#include "options.hpp"
#include "shm.hpp"
#include "wl_owners.hpp"

namespace rampart::hostile {

// The globals windows are made of.
struct Globals {
    wl_compositor_ptr compositor;
    wl_subcompositor_ptr subcompositor;
    wl_shm_ptr shm;
    xdg_wm_base_ptr wm_base;
    zxdg_decoration_manager_v1_ptr decoration_manager; // optional
};

// False with `error` naming what the compositor lacks.
bool bind_window_globals(const Connection &connection, Globals &globals, std::string &error);

using Painter = std::function<void(ShmBuffer &)>;

struct WindowSpec {
    int index = 1; // in the JSON lines
    std::string title = "rampart-hostile-client";
    Size size{400, 300};
    Color color = 0xff3366cc;
    Painter paint;                       // default: all `color`
    bool ignore_configure = false;       // always draw `size`, whatever was configured
    bool client_side_decoration = false; // ask for CSD through xdg-decoration, if offered
    bool quiet = false;                  // no per-window JSON lines
    ShmBuffer *shared_buffer = nullptr;  // attach this instead of a buffer of our own
};

class Window {
public:
    // Creates the toplevel and does the initial bufferless commit.
    Window(Globals &globals, WindowSpec spec);
    ~Window();
    Window(const Window &) = delete;
    Window &operator=(const Window &) = delete;

    bool configured() const { return configured_; }
    bool mapped() const { return mapped_; }
    bool closed() const { return closed_; } // the compositor sent xdg_toplevel.close
    Size size() const { return size_; }     // of the committed buffer
    Size configured_size() const { return configured_size_; }

    wl_surface *surface() const { return surface_.get(); }
    xdg_surface *xdg() const { return xdg_surface_.get(); }

    void set_title(const std::string &title);
    void commit() { wl_surface_commit(surface_.get()); }

private:
    void render();

    static void handle_xdg_configure(void *data, xdg_surface *surface, uint32_t serial);
    static void handle_configure(void *data, xdg_toplevel *toplevel, int32_t width, int32_t height,
                                 wl_array *states);
    static void handle_close(void *data, xdg_toplevel *toplevel);
    static void handle_configure_bounds(void *data, xdg_toplevel *toplevel, int32_t width,
                                        int32_t height);
    static void handle_wm_capabilities(void *data, xdg_toplevel *toplevel, wl_array *caps);
    static void handle_decoration(void *data, zxdg_toplevel_decoration_v1 *decoration,
                                  uint32_t mode);

    Globals &globals_;
    WindowSpec spec_;
    // Role objects go before the surface (declared after it), the buffer last.
    std::unique_ptr<ShmBuffer> buffer_;
    wl_surface_ptr surface_;
    xdg_surface_ptr xdg_surface_;
    xdg_toplevel_ptr toplevel_;
    zxdg_toplevel_decoration_v1_ptr decoration_;

    Size size_;
    Size configured_size_;
    bool configured_ = false;
    bool mapped_ = false;
    bool closed_ = false;
};

// An xdg_popup that draws `rect`'s size whatever the compositor configures.
class Popup {
public:
    Popup(Globals &globals, Window &parent, Rect rect, Color color, std::string &error);
    ~Popup();
    Popup(const Popup &) = delete;
    Popup &operator=(const Popup &) = delete;

    bool configured() const { return configured_; }
    bool dismissed() const { return dismissed_; }
    Rect configured_rect() const { return configured_rect_; }

private:
    static void handle_xdg_configure(void *data, xdg_surface *surface, uint32_t serial);
    static void handle_configure(void *data, xdg_popup *popup, int32_t x, int32_t y, int32_t width,
                                 int32_t height);
    static void handle_done(void *data, xdg_popup *popup);
    static void handle_repositioned(void *data, xdg_popup *popup, uint32_t token);

    std::unique_ptr<ShmBuffer> buffer_;
    wl_surface_ptr surface_;
    xdg_surface_ptr xdg_surface_;
    xdg_popup_ptr popup_;
    Rect configured_rect_;
    bool configured_ = false;
    bool dismissed_ = false;
};

} // namespace rampart::hostile
