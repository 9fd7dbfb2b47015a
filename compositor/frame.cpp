#include "frame.hpp"

#include <pango/pangocairo.h>

#include <cstring>

namespace rampart {

FrameLook FrameLook::neutral()
{
    return FrameLook{
        .focused = {{0.30f, 0.45f, 0.70f, 1.0f}, {0.30f, 0.45f, 0.70f, 1.0f}, {1, 1, 1, 1}},
        .unfocused = {{0.33f, 0.33f, 0.36f, 1.0f}, {0.33f, 0.33f, 0.36f, 1.0f},
                      {0.80f, 0.80f, 0.82f, 1.0f}},
    };
}

Frame::Frame(wlr_scene_node *parent, wm::FrameExtents extents)
    : tree_(wlr_scene_tree_create(parent)), extents_(extents), title_bar_(&tree_->node)
{
    const float *color = look_.unfocused.border;
    left_ = wlr_scene_rect_create(&tree_->node, 0, 0, color);
    right_ = wlr_scene_rect_create(&tree_->node, 0, 0, color);
    bottom_ = wlr_scene_rect_create(&tree_->node, 0, 0, color);
}

Frame::~Frame() { wlr_scene_node_destroy(&tree_->node); }

void Frame::set_look(const FrameLook &look)
{
    look_ = look;
    dirty_ = true;
}

void Frame::set_extents(wm::FrameExtents extents)
{
    extents_ = extents;
    dirty_ = true;
}

void Frame::set_enabled(bool enabled) { wlr_scene_node_set_enabled(&tree_->node, enabled); }

wm::Box Frame::close_button() const
{
    int size = extents_.title_height - 6;
    if (drawn_width_ < 3 * size)
        return {};
    return {drawn_width_ - size - 4, 3, size, size};
}

void Frame::update(int content_width, int content_height, const std::string &title, bool focused)
{
    const wm::FrameExtents &e = extents_;
    int outer_width = content_width + e.left() + e.right();
    const FrameStyle &style = focused ? look_.focused : look_.unfocused;

    wlr_scene_node_set_position(&left_->node, 0, e.top());
    wlr_scene_rect_set_size(left_, e.left(), content_height + e.bottom());
    wlr_scene_node_set_position(&right_->node, e.left() + content_width, e.top());
    wlr_scene_rect_set_size(right_, e.right(), content_height + e.bottom());
    wlr_scene_node_set_position(&bottom_->node, e.left(), e.top() + content_height);
    wlr_scene_rect_set_size(bottom_, content_width, e.bottom());
    for (wlr_scene_rect *edge : {left_, right_, bottom_})
        wlr_scene_rect_set_color(edge, style.border);

    if (dirty_ || outer_width != drawn_width_ || title != drawn_title_ || focused != drawn_focused_) {
        drawn_width_ = outer_width;
        drawn_title_ = title;
        drawn_focused_ = focused;
        dirty_ = false;
        draw_title(style);
    }
}

void Frame::draw_title(const FrameStyle &style)
{
    const int width = drawn_width_, height = extents_.title_height;
    const wm::Box close = close_button();
    const std::string &title = drawn_title_;
    title_bar_.draw(0, 0, width, height, [&](cairo_t *cr) {
        cairo_set_source_rgba(cr, style.title_background[0], style.title_background[1],
                              style.title_background[2], style.title_background[3]);
        cairo_paint(cr);

        PangoLayout *layout = pango_cairo_create_layout(cr);
        PangoFontDescription *font = pango_font_description_from_string("Sans");
        pango_font_description_set_absolute_size(font, (height * 0.55) * PANGO_SCALE);
        pango_layout_set_font_description(layout, font);
        pango_font_description_free(font);
        pango_layout_set_text(layout, title.c_str(), -1);  // plain text, never markup
        pango_layout_set_single_paragraph_mode(layout, TRUE);
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        int text_room = (close.empty() ? width : close.x) - 2 * extents_.border - 8;
        pango_layout_set_width(layout, std::max(1, text_room) * PANGO_SCALE);
        int text_width = 0, text_height = 0;
        pango_layout_get_pixel_size(layout, &text_width, &text_height);
        cairo_set_source_rgba(cr, style.title_text[0], style.title_text[1], style.title_text[2],
                              style.title_text[3]);
        cairo_move_to(cr, extents_.border + 6, (height - text_height) / 2.0);
        pango_cairo_show_layout(cr, layout);
        g_object_unref(layout);

        if (!close.empty()) {
            // A plain cross: the close button.
            double inset = close.width * 0.3;
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

std::string display_title(const char *raw, size_t max_chars)
{
    std::string out;
    if (!raw)
        return out;
    size_t chars = 0;
    const char *end = raw + strnlen(raw, max_chars * 4 + 4);
    const char *p = raw;
    while (p < end && chars < max_chars) {
        const gchar *next = g_utf8_find_next_char(p, end);
        if (!next)
            next = end;
        gunichar c = g_utf8_get_char_validated(p, next - p);
        if (c == static_cast<gunichar>(-1) || c == static_cast<gunichar>(-2))
            out += "\xEF\xBF\xBD";  // U+FFFD for invalid bytes
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            out += ' ';
        else
            out.append(p, next);
        p = next;
        ++chars;
    }
    if (p < end || *end)
        out += "\xE2\x80\xA6";  // an ellipsis shows it was cut
    return out;
}

}  // namespace rampart
