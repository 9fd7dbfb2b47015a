// Turns the bytes a client sends as a window title or app id into text that is safe and honest
// to draw as pango plain text next to a security level label. Clients may be hostile: nothing
// they send may reorder, hide or forge what the user sees, nor break the title bar's layout.
// Pure: no wlroots or Wayland, only GLib's Unicode tables; unit-tested and fuzzed alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rampart::policy {

struct SanitizeLimits {
    size_t max_input_bytes = 4096;  // bytes examined; the rest is dropped and marked as cut
    size_t max_codepoints = 256;    // result length in code points, before the cut marker
    int max_combining_per_base = 2; // combining marks kept after one base character (max 30)
};

struct SanitizedText {
    std::string text;       // valid UTF-8, NFC, safe to give pango as plain text (not markup)
    bool truncated = false; // something was cut: the text then ends with U+2026
    bool altered = false;   // something was replaced, escaped or dropped (NFC alone is not)
};

// Never fails; deterministic; no shared state, so safe to call from any thread.
// - invalid UTF-8: each maximal ill-formed subpart becomes U+FFFD;
// - normalised to NFC;
// - characters that can reorder or hide text (bidi controls, zero-width and other format
//   characters, variation selectors, private use, unassigned, C0/C1 controls, line and
//   paragraph separators, Hangul fillers, U+2800) and a combining mark with no base before it
//   become a visible escape such as "⟨U+202E⟩"; U+27E8/U+27E9 themselves are escaped too, so an
//   escape in the output always stands for a character the client really sent;
// - TAB, LF, CR and other whitespace become one space; spaces collapse and are trimmed;
// - combining marks beyond max_combining_per_base after one base are dropped (anti-"Zalgo");
// - cut at max_codepoints (an escape counts as its visible length) between whole units: never
//   inside an escape nor between a base and its kept marks; then U+2026 is appended.
// Empty or all-whitespace input gives an empty text (unless the input was cut: then "…").
SanitizedText sanitize_title(std::string_view raw, const SanitizeLimits &limits = {});

// True if `text` is valid UTF-8 without anything that can hide, reorder or break text: no
// C0/C1 controls or DEL, bidi controls, zero-width or invisible characters, variation
// selectors, U+2028/U+2029, nor any Cf, Co, Cn or Cs character. Every sanitize_title result
// passes; used as the invariant of the tests and the fuzzer.
bool is_safe_plain_text(std::string_view text);

namespace detail {
// NFC in linear time, from GLib's per-character tables (g_utf8_normalize is quadratic in long
// runs). Like UAX #15's stream-safe format, a run of more than 30 non-starters is cut; then
// *cut_nonstarters is set. Exposed for the tests, which compare it with g_utf8_normalize.
std::u32string to_nfc(std::u32string_view text, bool *cut_nonstarters = nullptr);
} // namespace detail

} // namespace rampart::policy
