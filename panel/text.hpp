// Shaped plain text for the panel and level labels, cached so that a redraw after a small
// model change (the clock, the focus) shapes only what changed. Pango is used as plain text
// only: never markup, whoever wrote the string.
#pragma once

#include <cairo.h>
#include <pango/pango-layout.h>

#include <cstddef>
#include <memory>
#include <string_view>

namespace rampart::panel {

enum class FontStyle : unsigned char { regular, bold, italic };

struct TextSpec {
    FontStyle style = FontStyle::regular;
    double size_px = 12;          // absolute size in buffer pixels
    int max_width = 0;            // > 0: cut at this many pixels with an ellipsis at the end
    bool fixed_direction = false; // untrusted text (titles): right-to-left letters must not
                                  // flip the paragraph direction
};

// One immutable shaped paragraph; draw it with any cairo_t whose transform is in buffer pixels.
class ShapedText {
public:
    explicit ShapedText(PangoLayout *layout); // takes the reference
    int width() const { return width_; }      // logical extents in pixels
    int height() const { return height_; }
    // Where the ink is, relative to the logical top-left: to centre a lone glyph by its shape.
    int ink_x() const { return ink_.x; }
    int ink_y() const { return ink_.y; }
    int ink_width() const { return ink_.width; }
    int ink_height() const { return ink_.height; }
    bool ellipsized() const;
    // Draws with the current cairo source; (x, y) is the top-left of the logical extents.
    void draw(cairo_t *cr, double x, double y) const;

private:
    struct Unref {
        void operator()(PangoLayout *layout) const;
    };
    std::unique_ptr<PangoLayout, Unref> layout_;
    int width_ = 0, height_ = 0;
    PangoRectangle ink_{};
};

using Text = std::shared_ptr<const ShapedText>;

// Shapes `text` as plain text (never markup), or returns the cached result of an identical
// request. Not thread-safe across threads sharing results; each thread has its own cache.
Text shape_text(std::string_view text, const TextSpec &spec);

// Marks the start of a new redraw: texts not requested during the last two redraws may then be
// dropped, so the cache holds about what is on screen.
void begin_text_generation();
void clear_text_cache();
std::size_t text_cache_size();

} // namespace rampart::panel
