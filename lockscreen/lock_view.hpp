// What the lock screen shows, and how it is painted. Pure (cairo + pango through the panel's
// text code; no wlroots): the compositor builds a LockViewModel from the lock state and paints
// one buffer per output. Nothing here ever sees the typed secret, only how many characters it has.
#pragma once

#include "wm/colour.hpp"

#include <cairo.h>

#include <string>

namespace rampart::lockscreen {

enum class MessageKind { none, progress, info, error };

struct LockViewModel {
    std::string clock_text;      // e.g. "14:05", already formatted
    std::string date_text;       // e.g. "Friday 27 November"
    std::string user_name;       // the session's user (from the password database)
    std::string security_phrase; // the user's phrase: shows this screen is Rampart's
    std::string prompt;          // the broker's current prompt, e.g. "Password: "; empty: none
    bool prompt_visible = false; // echo-on prompt: the answer is shown as typed
    std::string visible_answer;  // only for echo-on prompts (not secret by PAM's own definition)
    std::size_t typed_count = 0; // characters typed for an echo-off prompt
    bool show_length = false;    // admin option: one dot per character; default hides length
    bool input_enabled = true;   // false while checking, in backoff, or the broker is down
    bool caps_lock = false;
    std::string layout_name; // short keyboard layout name, e.g. "us", "de"
    MessageKind message_kind = MessageKind::none;
    std::string message;          // "Checking...", "Wrong password", ...
    std::string backoff_text;     // e.g. "Try again in 28 s"; empty when no wait
    unsigned failed_attempts = 0; // since the last unlock; shown when > 0
    std::string hint;             // bottom line, e.g. "Type your password and press Enter"
    bool operator==(const LockViewModel &) const = default;
};

namespace lock_palette {
inline const wm::Colour background = wm::Colour::from_rgb(0x10, 0x12, 0x16);
inline const wm::Colour box = wm::Colour::from_rgb(0x22, 0x25, 0x2b);
inline const wm::Colour text = wm::Colour::from_rgb(0xec, 0xec, 0xee);
inline const wm::Colour muted = wm::Colour::from_rgb(0x9a, 0x9c, 0xa4);
inline const wm::Colour error = wm::Colour::from_rgb(0xff, 0x6b, 0x5e);
inline const wm::Colour warning = wm::Colour::from_rgb(0xf0, 0xb4, 0x00);
} // namespace lock_palette

// Paints the whole lock screen, opaque, into a `width` x `height` buffer at `scale` (HiDPI).
// The cairo_t's transform must be in buffer pixels.
void render_lock_screen(cairo_t *cr, const LockViewModel &model, int width, int height,
                        double scale);

} // namespace rampart::lockscreen
