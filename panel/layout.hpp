// Where everything on the panel goes, left to right: the focused level, the window entries
// grouped by level (shrinking, then collapsing into per-level "+N" entries), and on the right
// the security phrase, keyboard layout and Caps Lock, the clock and the lock button.
// All boxes are in buffer pixels; every size scales with the output scale.
#pragma once

#include "model.hpp"
#include "text.hpp"
#include "wm/geometry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace rampart::panel {

// PanelItem::level of an overflow entry standing for windows of several levels (only when the
// panel is too narrow even for one "+N" entry per level).
inline constexpr int several_levels = -2;
// PanelItem::level where no level applies (the "no focus" area, the lock button...).
inline constexpr int no_level = -3;

enum class HitKind { none, window, overflow, lock_button, focused_level, phrase };

struct PanelItem {
    HitKind kind = HitKind::none;
    wm::Box box;                    // empty: not shown
    int level = no_level;           // a level index, trusted_level or several_levels
    uint64_t window_id = 0;         // window entries
    bool focused = false;           // window entries: the window with keyboard focus
    std::vector<uint64_t> hidden;   // overflow entries: the windows behind "+N", model order
    std::vector<int> hidden_levels; // several_levels overflow: their levels, in order
    Text glyph;                     // window and overflow entries: the level glyph
    Text text;                      // title, "+N", level label, phrase, layout, clock...
};

struct PanelMetrics {
    double scale = 1;
    int margin = 3;      // above and below entries and boxes
    int box_height = 22; // entries, right-side boxes and the lock button
    int pad = 6;         // inside boxes, between their parts
    int gap = 4;         // between entries of one level
    int group_gap = 12;  // between levels, and between the panel's sections
    double text_px = 12; // titles and right-side text
};

struct PanelLayout {
    int width = 0, height = 0;
    PanelMetrics metrics;
    PanelItem focused_level; // always shown, full height, at the left edge
    wm::Box entries_area;    // where window and overflow entries may go
    std::vector<PanelItem> entries;
    PanelItem phrase, keyboard, caps_lock, clock, lock_button; // caps_lock: empty box when off
};

// The level label as frames and the panel draw it: glyph and name, bold, 0.55 of its height.
Text level_label_text(const LevelStyle &style, int height);
int level_label_width(const LevelStyle &style, int height, double scale = 1);

// Lays out `model` for a strip of width_px x height_px buffer pixels at the output's scale.
PanelLayout layout_panel(const PanelModel &model, int width_px, int height_px, double scale);

struct Hit {
    HitKind kind = HitKind::none;
    uint64_t window_id = 0;          // window
    int level = no_level;            // window, overflow, focused_level
    const PanelItem *item = nullptr; // into the layout (valid while it lives): e.g. the
                                     // windows behind an overflow entry
};

// What is under (x, y) in buffer pixels. An entry is hit over the strip's full height, so a
// pointer pushed against the screen's top edge still reaches it.
Hit hit_test(const PanelLayout &layout, double x, double y);

// A short form of an xkb layout name for the panel: "English (US)" -> "EN-US",
// "German" -> "DE", "English (Dvorak)" -> "EN-DVO", "us" -> "US". The variant is kept (cut to
// three letters) because it changes what a typed password is.
std::string short_layout_name(std::string_view xkb_name);

} // namespace rampart::panel
