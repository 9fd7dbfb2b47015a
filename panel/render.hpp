// Paints the trusted panel and level labels with cairo and pango (plain text only). Pure: no
// wlroots; the caller owns the surface. The cairo_t's transform must be in buffer pixels.
#pragma once

#include "layout.hpp"
#include "model.hpp"

#include <cairo.h>

namespace rampart::panel {

// Paints the whole strip, opaque, as laid out by layout_panel(model, ...).
void render_panel(cairo_t *cr, const PanelModel &model, const PanelLayout &layout);

// Draws a level label (glyph and name on the level colour, with its pattern) at (x, y), `height`
// pixels high; returns its width. The one implementation for frames and the panel; `scale`
// sizes the padding and the pattern for HiDPI outputs.
int draw_level_label(cairo_t *cr, const LevelStyle &style, double x, double y, int height,
                     double scale = 1);

// The panel's own colours, for the tests and the theme checker.
namespace palette {
inline const wm::Colour background = wm::Colour::from_rgb(0x18, 0x18, 0x1b);
inline const wm::Colour neutral = wm::Colour::from_rgb(0x34, 0x34, 0x3a); // "no focus"
inline const wm::Colour text = wm::Colour::from_rgb(0xec, 0xec, 0xee);
inline const wm::Colour muted = wm::Colour::from_rgb(0xa0, 0xa0, 0xa8);
inline const wm::Colour warning = wm::Colour::from_rgb(0xf0, 0xb4, 0x00); // Caps Lock, hints
inline const wm::Colour control = wm::Colour::from_rgb(0x2e, 0x2e, 0x34); // boxes, lock
inline const wm::Colour unfocused_shade = wm::Colour::from_rgb(0x20, 0x20, 0x22); // as frames
} // namespace palette

} // namespace rampart::panel
