// The server-side frame around a toplevel: a title bar image and three border rects, all
// outside the client's buffer. Redraws the title bar only when what it shows changes.
#pragma once

#include "render/cairo_buffer.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <string>

namespace rampart {

struct FrameStyle {
    float border[4];
    float title_background[4];
    float title_text[4];
};

struct FrameLook {
    FrameStyle focused;
    FrameStyle unfocused;
    static FrameLook neutral();
};

class Frame {
public:
    Frame(wlr_scene_node *parent, wm::FrameExtents extents);
    ~Frame();
    Frame(const Frame &) = delete;
    Frame &operator=(const Frame &) = delete;

    // Lays the frame out around content of the given size and redraws what changed.
    void update(int content_width, int content_height, const std::string &title, bool focused);
    void set_look(const FrameLook &look);
    void set_extents(wm::FrameExtents extents);
    void set_enabled(bool enabled);
    const wm::FrameExtents &extents() const { return extents_; }

    // Where the close button is, relative to the frame's top-left; empty when too narrow.
    wm::Box close_button() const;

private:
    void draw_title(const FrameStyle &style);

    wlr_scene_tree *tree_;
    wm::FrameExtents extents_;
    FrameLook look_ = FrameLook::neutral();
    SceneImage title_bar_;
    wlr_scene_rect *left_ = nullptr, *right_ = nullptr, *bottom_ = nullptr;
    int drawn_width_ = -1;
    std::string drawn_title_;
    bool drawn_focused_ = false;
    bool dirty_ = true;
};

// Makes a title safe to draw for now: valid UTF-8, no control characters, capped length.
// (The levels issue replaces this with the full sanitiser.)
std::string display_title(const char *raw, size_t max_chars = 256);

}  // namespace rampart
