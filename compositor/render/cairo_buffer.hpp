// Compositor-drawn pixels: a wlr_buffer backed by a cairo image surface, and a scene node
// that shows the latest one. wlroots 0.15 has no wlr_scene_buffer_set_buffer, so a redraw
// replaces the buffer node in place, keeping its z-order.
#pragma once

#include "wlr.hpp"
#include "listener.hpp"

#include <cairo.h>

#include <functional>

namespace rampart {

// Creates a width x height ARGB32 buffer, clears it and lets `draw` paint it. The returned
// buffer holds one reference owned by the caller (release it with wlr_buffer_drop).
// Returns nullptr when the size is not drawable.
wlr_buffer *create_cairo_buffer(int width, int height, const std::function<void(cairo_t *)> &draw);

// Reads back a buffer that supports data-pointer access into a new cairo image (ARGB32);
// nullptr when it cannot be read. For tests and screenshots.
cairo_surface_t *copy_buffer_to_image(wlr_buffer *buffer);

class SceneImage {
public:
    explicit SceneImage(wlr_scene_node *parent) : parent_(parent) {}
    SceneImage(const SceneImage &) = delete;
    SceneImage &operator=(const SceneImage &) = delete;
    ~SceneImage();

    // Draws a new image of the given size and shows it at (x, y) relative to the parent.
    // A buffer of width x height pixels; shown at dest_width x dest_height when given (HiDPI).
    void draw(int x, int y, int width, int height, const std::function<void(cairo_t *)> &painter,
              int dest_width = 0, int dest_height = 0);
    void set_enabled(bool enabled);
    void set_position(int x, int y);
    wlr_scene_node *node() const { return node_ ? &node_->node : nullptr; }
    int width() const { return width_; }
    int height() const { return height_; }

private:
    wlr_scene_node *parent_;
    wlr_scene_buffer *node_ = nullptr;
    Listener node_destroy_;
    bool enabled_ = true;
    int width_ = 0, height_ = 0;
};

} // namespace rampart
