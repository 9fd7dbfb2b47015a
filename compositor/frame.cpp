#include "frame.hpp"

#include "panel/render.hpp"

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
    pango_layout_set_text(layout, text.c_str(), -1); // plain text, never markup
    pango_layout_set_single_paragraph_mode(layout, TRUE);
    return layout;
}

} // namespace

int draw_level_label(cairo_t *cr, const FrameIdentity &identity, double x, double y, int height)
{
    // One implementation for frames, the overview and the panel (panel/render.cpp).
    panel::LevelStyle style{
        "", identity.name, identity.glyph, identity.colour, identity.text, identity.pattern};
    return panel::draw_level_label(cr, style, x, y, height);
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

Frame::~Frame()
{
    wlr_scene_node_destroy(&tree_->node);
}

void Frame::set_extents(wm::FrameExtents extents)
{
    extents_ = extents;
    dirty_ = true;
}

void Frame::set_enabled(bool enabled)
{
    wlr_scene_node_set_enabled(&tree_->node, enabled);
}

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

    if (dirty_ || outer_width != drawn_width_ || title != drawn_title_ ||
        focused != drawn_focused_) {
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
            return; // the thin fullscreen frame: colour only
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
            pango_context_set_base_dir(pango_layout_get_context(layout), PANGO_DIRECTION_LTR);
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

} // namespace rampart
