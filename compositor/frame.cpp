#include "frame.hpp"

#include <pango/pangocairo.h>

#include <cmath>

namespace rampart {

namespace {

const wm::Colour unfocused_shade = wm::Colour::from_rgb(0x20, 0x20, 0x22);

void set_source(cairo_t *cr, const wm::Colour &colour, float alpha = 1.0f)
{
    cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, colour.a * alpha);
}

void array_of(const wm::Colour &colour, float out[4])
{
    out[0] = colour.r;
    out[1] = colour.g;
    out[2] = colour.b;
    out[3] = colour.a;
}

PangoLayout *text_layout(cairo_t *cr, const std::string &text, int height, bool bold)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string(bold ? "Sans Bold" : "Sans");
    pango_font_description_set_absolute_size(font, height * 0.55 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_text(layout, text.c_str(), -1);  // plain text, never markup
    pango_layout_set_single_paragraph_mode(layout, TRUE);
    return layout;
}

// Patterns let levels differ by more than colour (colour-vision deficiencies).
void draw_pattern(cairo_t *cr, int pattern, double x, double y, double width, double height,
                  const wm::Colour &ink)
{
    if (pattern == 0)
        return;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, width, height);
    cairo_clip(cr);
    set_source(cr, ink, 0.28f);
    if (pattern == 1) {  // diagonal stripes
        cairo_set_line_width(cr, 2.0);
        for (double offset = -height; offset < width; offset += 6) {
            cairo_move_to(cr, x + offset, y + height);
            cairo_line_to(cr, x + offset + height, y);
        }
        cairo_stroke(cr);
    } else if (pattern == 2) {  // dots
        for (double dy = y + 3; dy < y + height; dy += 5)
            for (double dx = x + 3; dx < x + width; dx += 5) {
                cairo_arc(cr, dx, dy, 1.0, 0, 2 * M_PI);
                cairo_fill(cr);
            }
    } else {  // checks
        for (double dy = y; dy < y + height; dy += 4)
            for (double dx = x + (static_cast<int>((dy - y) / 4) % 2) * 4; dx < x + width; dx += 8)
                cairo_rectangle(cr, dx, dy, 4, 4);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

}  // namespace

int draw_level_label(cairo_t *cr, const FrameIdentity &identity, double x, double y, int height)
{
    std::string text = identity.glyph + " " + identity.name;
    PangoLayout *layout = text_layout(cr, text, height, true);
    int text_width = 0, text_height = 0;
    pango_layout_get_pixel_size(layout, &text_width, &text_height);
    int width = text_width + 12;
    set_source(cr, identity.colour);
    cairo_rectangle(cr, x, y, width, height);
    cairo_fill(cr);
    draw_pattern(cr, identity.pattern, x, y, width, height, identity.text);
    set_source(cr, identity.text);
    cairo_move_to(cr, x + 6, y + (height - text_height) / 2.0);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return width;
}

Frame::Frame(wlr_scene_node *parent, wm::FrameExtents extents, FrameIdentity identity)
    : tree_(wlr_scene_tree_create(parent)), extents_(extents), identity_(std::move(identity)),
      title_bar_(&tree_->node)
{
    float colour[4];
    array_of(identity_.colour, colour);
    left_ = wlr_scene_rect_create(&tree_->node, 0, 0, colour);
    right_ = wlr_scene_rect_create(&tree_->node, 0, 0, colour);
    bottom_ = wlr_scene_rect_create(&tree_->node, 0, 0, colour);
}

Frame::~Frame() { wlr_scene_node_destroy(&tree_->node); }

void Frame::set_extents(wm::FrameExtents extents)
{
    extents_ = extents;
    dirty_ = true;
}

void Frame::set_enabled(bool enabled) { wlr_scene_node_set_enabled(&tree_->node, enabled); }

wm::Colour Frame::title_background(bool focused) const
{
    return focused ? identity_.colour : wm::mix(identity_.colour, unfocused_shade, 0.6f);
}

wm::Box Frame::close_button() const
{
    int size = extents_.title_height - 6;
    if (size < 10 || drawn_width_ < 3 * size)
        return {};
    return {drawn_width_ - size - 4, 3, size, size};
}

void Frame::update(int content_width, int content_height, const std::string &title, bool focused)
{
    const wm::FrameExtents &e = extents_;
    int outer_width = content_width + e.left() + e.right();
    wlr_scene_node_set_position(&left_->node, 0, e.top());
    wlr_scene_rect_set_size(left_, e.left(), content_height + e.bottom());
    wlr_scene_node_set_position(&right_->node, e.left() + content_width, e.top());
    wlr_scene_rect_set_size(right_, e.right(), content_height + e.bottom());
    wlr_scene_node_set_position(&bottom_->node, e.left(), e.top() + content_height);
    wlr_scene_rect_set_size(bottom_, content_width, e.bottom());

    if (dirty_ || outer_width != drawn_width_ || title != drawn_title_ || focused != drawn_focused_) {
        drawn_width_ = outer_width;
        drawn_title_ = title;
        drawn_focused_ = focused;
        dirty_ = false;
        draw_title(focused);
    }
}

void Frame::draw_title(bool focused)
{
    const int width = drawn_width_, height = extents_.title_height;
    const wm::Box close = close_button();
    const wm::Colour background = title_background(focused);
    const wm::Colour ink = focused ? identity_.text : wm::mix(identity_.text, background, 0.35f);
    const std::string &title = drawn_title_;
    const int border = extents_.border;
    title_bar_.draw(0, 0, width, height, [&](cairo_t *cr) {
        set_source(cr, background);
        cairo_paint(cr);
        if (height < 12)
            return;  // the thin fullscreen frame: colour only
        // The level label first, at full size whatever the width: it is never cut short.
        int inner = height - 4;
        int label_width = draw_level_label(cr, identity_, border + 2, 2, inner);
        if (focused) {
            set_source(cr, identity_.text, 0.9f);
            cairo_set_line_width(cr, 1.0);
            cairo_rectangle(cr, border + 2.5, 2.5, label_width - 1, inner - 1);
            cairo_stroke(cr);
        }
        // Then the title, cut with an ellipsis if it does not fit.
        int title_x = border + 2 + label_width + 8;
        int title_room = (close.empty() ? width - border : close.x) - title_x - 6;
        if (title_room > 8 && !title.empty()) {
            PangoLayout *layout = text_layout(cr, title, height, false);
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
            // Right-to-left letters in a title must not reorder the text around them.
            pango_layout_set_auto_dir(layout, FALSE);
            pango_layout_set_width(layout, title_room * PANGO_SCALE);
            int text_width = 0, text_height = 0;
            pango_layout_get_pixel_size(layout, &text_width, &text_height);
            set_source(cr, ink);
            cairo_move_to(cr, title_x, (height - text_height) / 2.0);
            pango_cairo_show_layout(cr, layout);
            g_object_unref(layout);
        }
        if (!close.empty()) {
            double inset = close.width * 0.3;
            set_source(cr, ink);
            cairo_set_line_width(cr, 2.0);
            cairo_move_to(cr, close.x + inset, close.y + inset);
            cairo_line_to(cr, close.x + close.width - inset, close.y + close.height - inset);
            cairo_move_to(cr, close.x + close.width - inset, close.y + inset);
            cairo_line_to(cr, close.x + inset, close.y + close.height - inset);
            cairo_stroke(cr);
        }
    });
    title_bar_.set_position(0, 0);
}

}  // namespace rampart
