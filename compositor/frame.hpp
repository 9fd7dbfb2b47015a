// The server-side frame around a toplevel: a title bar image and three border rects, all
// outside the client's buffer, in the colours of the window's level. The title bar shows the
// level's glyph and name first (never cut short), then the sanitised title. Redraws only
// when what it shows changes.
#pragma once

#include "render/cairo_buffer.hpp"
#include "wlr.hpp"
#include "wm/colour.hpp"
#include "wm/geometry.hpp"

#include <string>

namespace rampart {

// Who the window belongs to, as the frame shows it.
struct FrameIdentity {
    std::string glyph = "◇";
    std::string name = "Unclassified";
    wm::Colour colour = wm::Colour::from_rgb(0x5a, 0x5a, 0x5a);
    wm::Colour text = wm::Colour::from_rgb(0xff, 0xff, 0xff);
    int pattern = 0; // config::TitlePattern: 0 none, 1 stripes, 2 dots, 3 checks
};

class Frame {
public:
    Frame(wlr_scene_node *parent, wm::FrameExtents extents, FrameIdentity identity);
    ~Frame();
    Frame(const Frame &) = delete;
    Frame &operator=(const Frame &) = delete;

    // Lays the frame out around content of the given size and redraws what changed.
    void update(int content_width, int content_height, const std::string &title, bool focused);
    void set_extents(wm::FrameExtents extents);
    void set_enabled(bool enabled);
    const wm::FrameExtents &extents() const { return extents_; }
    const FrameIdentity &identity() const { return identity_; }

    // Where the close button is, relative to the frame's top-left; empty when too narrow.
    wm::Box close_button() const;
    // The title bar's colours, for tests and the panel.
    wm::Colour title_background(bool focused) const;

private:
    void draw_title(bool focused);

    wlr_scene_tree *tree_;
    wm::FrameExtents extents_;
    FrameIdentity identity_;
    SceneImage title_bar_;
    wlr_scene_rect *left_ = nullptr, *right_ = nullptr, *bottom_ = nullptr;
    int drawn_width_ = -1;
    std::string drawn_title_;
    bool drawn_focused_ = false;
    bool dirty_ = true;
};

// Draws a level label (glyph, name, pattern) into `cr` at (x, y) with the given height;
// returns its width. Shared by frames and, later, the panel.
int draw_level_label(cairo_t *cr, const FrameIdentity &identity, double x, double y, int height);

} // namespace rampart
