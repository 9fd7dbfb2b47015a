#include "render.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace rampart::panel {

namespace {

void set_source(cairo_t *cr, const wm::Colour &colour, float alpha = 1.0f)
{
    cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, colour.a * alpha);
}

void fill_box(cairo_t *cr, const wm::Box &box, const wm::Colour &colour)
{
    set_source(cr, colour);
    cairo_rectangle(cr, box.x, box.y, box.width, box.height);
    cairo_fill(cr);
}

// A crisp outline `line` (whole) pixels wide just inside `box`, with the current source. Four
// filled rectangles: cheaper than a stroke, and the same pixels.
void outline_box(cairo_t *cr, const wm::Box &box, double line)
{
    const double x = box.x, y = box.y, w = box.width, h = box.height;
    cairo_rectangle(cr, x, y, w, line);
    cairo_rectangle(cr, x, y + h - line, w, line);
    cairo_rectangle(cr, x, y + line, line, h - 2 * line);
    cairo_rectangle(cr, x + w - line, y + line, line, h - 2 * line);
    cairo_fill(cr);
}

void dashed_outline_box(cairo_t *cr, const wm::Box &box, double line, double dash)
{
    cairo_set_line_width(cr, line);
    cairo_set_dash(cr, &dash, 1, 0);
    cairo_rectangle(cr, box.x + line / 2, box.y + line / 2, box.width - line, box.height - line);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
}

void rounded_box(cairo_t *cr, const wm::Box &box, double radius)
{
    const double x = box.x, y = box.y, w = box.width, h = box.height;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - radius, y + radius, radius, -M_PI / 2, 0);
    cairo_arc(cr, x + w - radius, y + h - radius, radius, 0, M_PI / 2);
    cairo_arc(cr, x + radius, y + h - radius, radius, M_PI / 2, M_PI);
    cairo_arc(cr, x + radius, y + radius, radius, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

// Text vertically centred in `box`, starting at x.
void draw_text(cairo_t *cr, const Text &text, double x, const wm::Box &box,
               const wm::Colour &colour)
{
    if (!text)
        return;
    set_source(cr, colour);
    text->draw(cr, x, box.y + std::round((box.height - text->height()) / 2.0));
}

// Patterns let levels differ by more than colour (colour-vision deficiencies). At scale 1 this
// is exactly what frames have always drawn.
void draw_pattern(cairo_t *cr, int pattern, double x, double y, double width, double height,
                  const wm::Colour &ink, double scale)
{
    if (pattern == 0)
        return;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, width, height);
    cairo_clip(cr);
    set_source(cr, ink, 0.28f);
    if (pattern == 1) { // diagonal stripes
        cairo_set_line_width(cr, 2.0 * scale);
        for (double offset = -height; offset < width; offset += 6 * scale) {
            cairo_move_to(cr, x + offset, y + height);
            cairo_line_to(cr, x + offset + height, y);
        }
        cairo_stroke(cr);
    } else if (pattern == 2) { // dots, in one path: the same pixels as one fill per dot
        for (double dy = y + 3 * scale; dy < y + height; dy += 5 * scale)
            for (double dx = x + 3 * scale; dx < x + width; dx += 5 * scale) {
                cairo_new_sub_path(cr);
                cairo_arc(cr, dx, dy, 1.0 * scale, 0, 2 * M_PI);
            }
        cairo_fill(cr);
    } else { // checks
        const double cell = 4 * scale;
        for (double dy = y; dy < y + height; dy += cell)
            for (double dx = x + (static_cast<int>((dy - y) / cell) % 2) * cell; dx < x + width;
                 dx += 2 * cell)
                cairo_rectangle(cr, dx, dy, cell, cell);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

// The level colour with its pattern over `box`, and `text` in the level's text colour.
void paint_level(cairo_t *cr, const LevelStyle &style, double x, double y, double width,
                 double height, double scale)
{
    set_source(cr, style.colour);
    cairo_rectangle(cr, x, y, width, height);
    cairo_fill(cr);
    draw_pattern(cr, style.pattern, x, y, width, height, style.text, scale);
}

struct SurfaceFree {
    void operator()(cairo_surface_t *surface) const { cairo_surface_destroy(surface); }
};

// The level-coloured pieces, an entry's square and the focused-level area, are few but were
// most of a redraw's cost (a pattern is many small antialiased shapes): each is painted once
// into an opaque image, then copied. At whole-pixel positions the copy is the same pixels.
enum class Piece { square, area };
template <typename Paint>
void draw_piece(cairo_t *cr, Piece piece, const LevelStyle &style, const wm::Box &box, double scale,
                Paint paint)
{
    struct Sprite {
        Piece piece;
        LevelStyle style;
        int width, height;
        double scale;
        std::unique_ptr<cairo_surface_t, SurfaceFree> image;
    };
    thread_local std::vector<Sprite> sprites;
    auto found = std::find_if(sprites.begin(), sprites.end(), [&](const Sprite &sprite) {
        return sprite.piece == piece && sprite.width == box.width && sprite.height == box.height &&
               sprite.scale == scale && sprite.style == style;
    });
    if (found == sprites.end()) {
        if (sprites.size() >= 64) // levels are few: only a theme or scale change gets here
            sprites.clear();
        std::unique_ptr<cairo_surface_t, SurfaceFree> image(
            cairo_image_surface_create(CAIRO_FORMAT_ARGB32, box.width, box.height));
        cairo_t *sprite_cr = cairo_create(image.get());
        paint(sprite_cr);
        cairo_destroy(sprite_cr);
        sprites.push_back({piece, style, box.width, box.height, scale, std::move(image)});
        found = sprites.end() - 1;
    }
    cairo_set_source_surface(cr, found->image.get(), box.x, box.y);
    cairo_rectangle(cr, box.x, box.y, box.width, box.height);
    cairo_fill(cr);
}

// The entry's leading square: the level colour, its pattern and glyph, as on the label.
void draw_square(cairo_t *cr, const LevelStyle &style, const Text &glyph, const wm::Box &box,
                 double scale)
{
    const wm::Box square{box.x, box.y, box.height, box.height};
    draw_piece(cr, Piece::square, style, square, scale, [&](cairo_t *sprite) {
        paint_level(sprite, style, 0, 0, square.width, square.height, scale);
        if (!glyph)
            return;
        // Centred by its ink: geometric glyphs sit on the baseline, below the line's middle.
        set_source(sprite, style.text);
        glyph->draw(sprite, std::round((square.width - glyph->ink_width()) / 2.0) - glyph->ink_x(),
                    std::round((square.height - glyph->ink_height()) / 2.0) - glyph->ink_y());
    });
}

// Several levels share one "+N": the square shows each of their colours, side by side.
void draw_mixed_square(cairo_t *cr, const PanelModel &model, const PanelItem &item)
{
    const wm::Box &box = item.box;
    const std::size_t bands = std::max<std::size_t>(1, item.hidden_levels.size());
    for (std::size_t i = 0; i < bands; ++i) {
        const int left = box.x + static_cast<int>(box.height * i / bands);
        const int right = box.x + static_cast<int>(box.height * (i + 1) / bands);
        const int level = item.hidden_levels.empty() ? no_level : item.hidden_levels[i];
        fill_box(cr, {left, box.y, right - left, box.height}, level_style(model, level).colour);
    }
}

void draw_entry(cairo_t *cr, const PanelModel &model, const PanelItem &item, const PanelMetrics &m)
{
    const LevelStyle &style = level_style(model, item.level);
    // As in frames: the focused entry in the level colour itself, the others darker.
    const bool focused = item.kind == HitKind::window && item.focused;
    const wm::Colour background =
        focused ? style.colour : wm::mix(style.colour, palette::unfocused_shade, 0.6f);
    const wm::Colour ink = focused ? style.text : wm::readable_on(background);
    fill_box(cr, item.box, background);
    if (item.level == several_levels)
        draw_mixed_square(cr, model, item);
    else
        draw_square(cr, style, item.glyph, item.box, m.scale);
    draw_text(cr, item.text, item.box.x + item.box.height + m.pad, item.box, ink);
    if (focused) {
        set_source(cr, style.text, 0.9f);
        outline_box(cr, item.box, std::max(1.0, std::round(1.5 * m.scale)));
    } else if (item.kind == HitKind::overflow) { // a list to open, not a window: dashed
        set_source(cr, ink, 0.6f);
        dashed_outline_box(cr, item.box, std::max(1.0, std::round(m.scale)), 3 * m.scale);
    }
}

void draw_focused_level(cairo_t *cr, const PanelModel &model, const PanelLayout &layout)
{
    const PanelItem &item = layout.focused_level;
    const wm::Box &box = item.box;
    const double scale = layout.metrics.scale;
    if (item.level == no_level) { // neutral, and unlike any level: no colour, no glyph
        fill_box(cr, box, palette::neutral);
        draw_text(cr, item.text, box.x + std::round((box.width - item.text->width()) / 2.0), box,
                  palette::muted);
        return;
    }
    const LevelStyle &style = level_style(model, item.level);
    draw_piece(cr, Piece::area, style, box, scale, [&](cairo_t *sprite) {
        paint_level(sprite, style, 0, 0, box.width, box.height, scale);
        set_source(sprite, style.text);
        item.text->draw(sprite, std::round((box.width - item.text->width()) / 2.0),
                        (box.height - item.text->height()) / 2.0);
    });
    if (model.flash > 0) {
        set_source(cr, style.text, std::min(model.flash, 1.0f));
        outline_box(cr, box, std::max(1.0, std::round(2 * scale)));
    }
}

// A shield: Rampart's own mark, drawn with paths so that no font can change it.
void draw_shield(cairo_t *cr, double x, double y, double size, const wm::Colour &colour)
{
    const double w = size * 0.8;
    cairo_move_to(cr, x, y + size * 0.15);
    cairo_line_to(cr, x + w / 2, y);
    cairo_line_to(cr, x + w, y + size * 0.15);
    cairo_curve_to(cr, x + w, y + size * 0.6, x + w * 0.8, y + size * 0.85, x + w / 2, y + size);
    cairo_curve_to(cr, x + w * 0.2, y + size * 0.85, x, y + size * 0.6, x, y + size * 0.15);
    cairo_close_path(cr);
    set_source(cr, colour);
    cairo_fill(cr);
}

void draw_phrase(cairo_t *cr, const PanelModel &model, const PanelLayout &layout)
{
    const PanelItem &item = layout.phrase;
    const PanelMetrics &m = layout.metrics;
    // Rampart's own colour marks the box as trusted; lightened if it would not show.
    const wm::Colour accent = wm::contrast_ratio(model.trusted.colour, palette::background) >= 3
                                  ? model.trusted.colour
                                  : wm::mix(model.trusted.colour, palette::text, 0.6f);
    fill_box(cr, item.box, wm::mix(palette::background, accent, 0.22f));
    set_source(cr, accent);
    outline_box(cr, item.box, std::max(1.0, std::round(m.scale)));
    const double icon = m.box_height * 0.6;
    draw_shield(cr, item.box.x + m.pad, item.box.y + (item.box.height - icon) / 2, icon, accent);
    const bool hint = model.security_phrase.empty();
    draw_text(cr, item.text, item.box.x + m.pad + std::round(icon) + m.pad, item.box,
              hint ? palette::warning : palette::text);
}

void draw_padlock(cairo_t *cr, const wm::Box &box, const wm::Colour &colour)
{
    const double size = box.height, cx = box.x + size / 2;
    const double body_w = size * 0.5, body_h = size * 0.38, body_y = box.y + size * 0.46;
    const double shackle_r = size * 0.15;
    set_source(cr, colour);
    cairo_set_line_width(cr, size * 0.09);
    cairo_move_to(cr, cx - shackle_r, body_y);
    cairo_line_to(cr, cx - shackle_r, body_y - size * 0.1);
    cairo_arc(cr, cx, body_y - size * 0.1, shackle_r, M_PI, 2 * M_PI);
    cairo_line_to(cr, cx + shackle_r, body_y);
    cairo_stroke(cr);
    rounded_box(cr,
                {static_cast<int>(std::lround(cx - body_w / 2)), static_cast<int>(body_y),
                 static_cast<int>(std::lround(body_w)), static_cast<int>(std::lround(body_h))},
                size * 0.06);
    cairo_fill(cr);
    set_source(cr, palette::control); // the keyhole
    cairo_arc(cr, cx, body_y + body_h * 0.42, size * 0.05, 0, 2 * M_PI);
    cairo_fill(cr);
}

void draw_right_side(cairo_t *cr, const PanelModel &model, const PanelLayout &layout)
{
    const PanelMetrics &m = layout.metrics;
    draw_phrase(cr, model, layout);
    if (!layout.keyboard.box.empty()) {
        const wm::Box &box = layout.keyboard.box;
        fill_box(cr, box, palette::control);
        draw_text(cr, layout.keyboard.text, box.x + m.pad, box, palette::text);
    }
    if (!layout.caps_lock.box.empty()) {
        const wm::Box &box = layout.caps_lock.box;
        fill_box(cr, box, palette::warning);
        draw_text(cr, layout.caps_lock.text, box.x + m.pad, box, wm::readable_on(palette::warning));
    }
    if (!layout.clock.box.empty())
        draw_text(cr, layout.clock.text, layout.clock.box.x + m.pad, layout.clock.box,
                  palette::text);
    const wm::Box &lock = layout.lock_button.box;
    rounded_box(cr, lock, 3 * m.scale);
    set_source(cr, palette::control);
    cairo_fill(cr);
    draw_padlock(cr, lock, palette::text);
}

} // namespace

int draw_level_label(cairo_t *cr, const LevelStyle &style, double x, double y, int height,
                     double scale)
{
    const Text text = level_label_text(style, height);
    const int pad = static_cast<int>(std::lround(6 * scale));
    const int width = text->width() + 2 * pad;
    paint_level(cr, style, x, y, width, height, scale);
    set_source(cr, style.text);
    text->draw(cr, x + pad, y + (height - text->height()) / 2.0);
    return width;
}

void render_panel(cairo_t *cr, const PanelModel &model, const PanelLayout &layout)
{
    cairo_save(cr);
    // The level-change cue: the whole strip takes on the new level's colour, fading out.
    wm::Colour background = palette::background;
    if (model.flash > 0 && layout.focused_level.level != no_level)
        background = wm::mix(background, level_style(model, layout.focused_level.level).colour,
                             0.5f * std::min(model.flash, 1.0f));
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    set_source(cr, background);
    cairo_rectangle(cr, 0, 0, layout.width, layout.height);
    cairo_fill(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);

    draw_focused_level(cr, model, layout);
    cairo_save(cr);
    const wm::Box &area = layout.entries_area;
    cairo_rectangle(cr, area.x, area.y, area.width, area.height);
    cairo_clip(cr);
    for (const PanelItem &entry : layout.entries)
        draw_entry(cr, model, entry, layout.metrics);
    cairo_restore(cr);
    draw_right_side(cr, model, layout);
    cairo_restore(cr);
}

} // namespace rampart::panel
