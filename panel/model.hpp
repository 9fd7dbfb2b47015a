// What the trusted panel shows, as plain data: the compositor fills it in, compares it with the
// last one drawn, and lays out and renders it only when it changed. Pure: no wlroots, no
// Wayland, so it is unit-tested alone and reused by the theme preview.
#pragma once

#include "wm/colour.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rampart::panel {

// WindowEntry::level and PanelModel::focused_level of Rampart's own windows.
inline constexpr int trusted_level = -1;

// How a security level looks: the same fields as a frame's level label.
struct LevelStyle {
    std::string id, name, glyph; // glyph: 1..4 code points, so colour is never the only cue
    wm::Colour colour = wm::Colour::from_rgb(0x5a, 0x5a, 0x5a);
    wm::Colour text = wm::Colour::from_rgb(0xff, 0xff, 0xff);
    int pattern = 0; // config::TitlePattern: 0 none, 1 stripes, 2 dots, 3 checks
    bool operator==(const LevelStyle &) const = default;
};

struct WindowEntry {
    uint64_t id = 0;
    int level = 0;     // index into PanelModel::levels, or trusted_level
    std::string title; // already sanitised (policy::sanitize_title); drawn as plain text
    bool focused = false;
    bool operator==(const WindowEntry &) const = default;
};

struct PanelModel {
    std::vector<LevelStyle> levels;   // rank order, lowest first
    LevelStyle trusted;               // how Rampart's own windows are shown
    std::vector<WindowEntry> windows; // in the order shown; the caller groups them by level
    std::optional<int> focused_level; // nullopt: nothing has keyboard focus
    std::string security_phrase;      // set by the user; empty: a hint to set one is shown
    std::string layout_name;          // keyboard layout as xkb names it, e.g. "English (US)"
    bool caps_lock = false;
    std::string clock_text; // formatted by the caller, e.g. "14:05"
    float flash = 0;        // 0..1: cue that the focus moved to another level
    bool operator==(const PanelModel &) const = default;
};

// The style of `level`: a configured level, the trusted style, or, for an index the model does
// not have (a caller bug), a grey "Unknown" level rather than another level's colours.
inline const LevelStyle &level_style(const PanelModel &model, int level)
{
    static const LevelStyle unknown{"",
                                    "Unknown",
                                    "?",
                                    wm::Colour::from_rgb(0x60, 0x60, 0x60),
                                    wm::Colour::from_rgb(0xff, 0xff, 0xff),
                                    3};
    if (level == trusted_level)
        return model.trusted;
    if (level >= 0 && static_cast<std::size_t>(level) < model.levels.size())
        return model.levels[static_cast<std::size_t>(level)];
    return unknown;
}

} // namespace rampart::panel
