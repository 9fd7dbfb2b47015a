#include "policy/title_sanitizer.hpp"

#include <glib.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

namespace rampart::policy {

namespace {

constexpr char32_t replacement_char = 0xFFFD;
constexpr char32_t escape_open = 0x27E8;  // ⟨
constexpr char32_t escape_close = 0x27E9; // ⟩
constexpr std::string_view escape_open_utf8 = "\xE2\x9F\xA8";
constexpr std::string_view escape_close_utf8 = "\xE2\x9F\xA9";
constexpr std::string_view ellipsis_utf8 = "\xE2\x80\xA6";

// UAX #15's stream-safe bound: longer runs of non-starters are cut before NFC, which keeps the
// canonical reordering linear. Far above any real text; Zalgo stacks are cut to 2 later anyway.
constexpr size_t max_nonstarter_run = 30;

struct CodepointRange {
    char32_t first;
    char32_t last;
};

// Invisible or reordering characters named explicitly, so the result does not depend on the
// Unicode version of GLib's tables; anything else of category Cf/Co/Cn/Cs is caught by those.
constexpr std::array<CodepointRange, 16> hidden_or_reordering = {{
    {0x00AD, 0x00AD},   // soft hyphen
    {0x034F, 0x034F},   // combining grapheme joiner
    {0x061C, 0x061C},   // Arabic letter mark
    {0x115F, 0x1160},   // Hangul choseong/jungseong fillers
    {0x180B, 0x180F},   // Mongolian free variation selectors and vowel separator
    {0x200B, 0x200F},   // zero-width space, ZWNJ, ZWJ, LRM, RLM
    {0x2028, 0x202E},   // line/paragraph separators, bidi embeddings and overrides
    {0x2060, 0x206F},   // word joiner, invisible operators, bidi isolates, deprecated formats
    {0x2800, 0x2800},   // braille pattern blank: looks like a space, is not one
    {0x3164, 0x3164},   // Hangul filler
    {0xFE00, 0xFE0F},   // variation selectors
    {0xFEFF, 0xFEFF},   // zero-width no-break space (BOM)
    {0xFFA0, 0xFFA0},   // halfwidth Hangul filler
    {0xFFF9, 0xFFFC},   // interlinear annotation, object replacement
    {0xE0000, 0xE007F}, // tag characters
    {0xE0100, 0xE01EF}, // variation selectors supplement
}};

bool is_hidden_or_reordering(char32_t c)
{
    const auto after = std::upper_bound(
        hidden_or_reordering.begin(), hidden_or_reordering.end(), c,
        [](char32_t value, const CodepointRange &range) { return value < range.first; });
    return after != hidden_or_reordering.begin() && c <= std::prev(after)->last;
}

bool is_unsafe_type(GUnicodeType type)
{
    switch (type) {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR: return true;
    default: return false;
    }
}

bool is_unsafe(char32_t c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        return true; // C0, DEL, C1
    if (c < 0xA0)
        return false; // printable ASCII: the common case, no table lookups
    return c > 0x10FFFF || is_hidden_or_reordering(c) || is_unsafe_type(g_unichar_type(c));
}

enum class CharKind { base, mark, space, escape };

CharKind classify(char32_t c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        return CharKind::space; // common in titles: not worth an escape
    if (c < 0xA0)
        return is_unsafe(c) ? CharKind::escape : CharKind::base;
    // The escape brackets themselves are escaped, so every escape shown is a real one.
    if (c == escape_open || c == escape_close || c > 0x10FFFF || is_hidden_or_reordering(c))
        return CharKind::escape;
    const GUnicodeType type = g_unichar_type(c);
    if (is_unsafe_type(type))
        return CharKind::escape;
    switch (type) {
    case G_UNICODE_SPACE_SEPARATOR: return CharKind::space;
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK: return CharKind::mark;
    default:
        return c >= 0x300 && g_unichar_combining_class(c) > 0 ? CharKind::mark : CharKind::base;
    }
}

int combining_class(char32_t c)
{
    return c < 0x300 ? 0 : g_unichar_combining_class(c);
}

void append_utf8(std::string &out, char32_t c)
{
    char encoded[6];
    out.append(encoded, static_cast<size_t>(g_unichar_to_utf8(c, encoded)));
}

// Decodes UTF-8, replacing each maximal ill-formed subpart with U+FFFD (Unicode 3.9, U+FFFD
// substitution of maximal subparts), so a bad byte never swallows the good text after it.
// A sequence that is only incomplete because the input was cut is dropped with the cut.
std::u32string decode_utf8(std::string_view bytes, bool input_was_cut, bool &had_invalid)
{
    std::u32string decoded(bytes.size(), U'\0'); // never more code points than bytes
    size_t count = 0;
    size_t pos = 0;
    while (pos < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[pos]);
        if (lead < 0x80) {
            decoded[count++] = lead;
            ++pos;
            continue;
        }
        size_t continuation_count = 0;
        unsigned char low = 0x80, high = 0xBF; // allowed range of the next continuation byte
        char32_t codepoint = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuation_count = 1;
            codepoint = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            continuation_count = 2;
            codepoint = lead & 0x0F;
            low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlongs
            high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            continuation_count = 3;
            codepoint = lead & 0x07;
            low = lead == 0xF0 ? 0x90 : 0x80;  // no overlongs
            high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
        } else { // stray continuation byte, C0/C1 overlong lead, F5..FF
            decoded[count++] = replacement_char;
            had_invalid = true;
            ++pos;
            continue;
        }
        size_t taken = 0;
        while (taken < continuation_count && pos + 1 + taken < bytes.size()) {
            const auto byte = static_cast<unsigned char>(bytes[pos + 1 + taken]);
            if (byte < low || byte > high)
                break;
            codepoint = (codepoint << 6) | (byte & 0x3F);
            low = 0x80;
            high = 0xBF;
            ++taken;
        }
        if (taken == continuation_count) {
            decoded[count++] = codepoint;
        } else if (pos + 1 + taken >= bytes.size() && input_was_cut) {
            break;
        } else {
            decoded[count++] = replacement_char;
            had_invalid = true;
        }
        pos += 1 + taken;
    }
    decoded.resize(count);
    return decoded;
}

std::string escape_for(char32_t c, size_t &visible_length)
{
    size_t digits = 4;
    while (digits < 8 && (c >> (4 * digits)) != 0)
        ++digits;
    std::string escape(escape_open_utf8);
    escape += "U+";
    for (size_t i = digits; i-- > 0;)
        escape += "0123456789ABCDEF"[(c >> (4 * i)) & 0xF];
    escape += escape_close_utf8;
    visible_length = 4 + digits; // ⟨ U + digits ⟩
    return escape;
}

// Assembles the result unit by unit: a base with its kept marks, an escape, or one space. A
// cut falls only between units; spaces are collapsed and trimmed as the units arrive.
class TitleBuilder {
public:
    explicit TitleBuilder(const SanitizeLimits &limits)
        : max_codepoints_(limits.max_codepoints),
          max_marks_(static_cast<size_t>(
              std::clamp(limits.max_combining_per_base, 0, int{max_nonstarter_run})))
    {
    }

    bool full() const { return full_; }

    void add_base(char32_t c)
    {
        // Dropped marks may have stood between a Hangul L and V (or LV and T) jamo: compose
        // what is now adjacent, so the result stays NFC.
        gunichar composite = 0;
        if (cluster_dropped_marks_ && combining_class(cluster_.back()) == 0 &&
            g_unichar_compose(cluster_.back(), c, &composite)) {
            cluster_.back() = composite;
            return;
        }
        flush_cluster();
        cluster_ = c;
        cluster_marks_ = 0;
        cluster_dropped_marks_ = false;
    }

    void add_mark(char32_t c)
    {
        if (cluster_.empty()) { // nothing to sit on: show that it was there
            add_escape(c);
        } else if (cluster_marks_ < max_marks_) {
            cluster_ += c;
            ++cluster_marks_;
        } else {
            cluster_dropped_marks_ = true;
            altered_ = true;
        }
    }

    void add_escape(char32_t c)
    {
        flush_cluster();
        size_t length = 0;
        const std::string escape = escape_for(c, length);
        if (emit(escape, length))
            altered_ = true;
    }

    void add_space(char32_t c)
    {
        flush_cluster();
        if (c != ' ' || text_length_ == 0 || pending_space_)
            altered_ = true; // replaced, leading, or collapsed
        if (text_length_ > 0)
            pending_space_ = true;
    }

    SanitizedText finish(bool input_was_cut, bool had_invalid)
    {
        flush_cluster();
        if (pending_space_ && !full_)
            altered_ = true; // trailing space trimmed
        SanitizedText result{std::move(text_), full_ || input_was_cut, altered_ || had_invalid};
        if (result.truncated)
            result.text += ellipsis_utf8;
        return result;
    }

private:
    void flush_cluster()
    {
        if (cluster_.empty())
            return;
        std::string encoded;
        for (char32_t c : cluster_)
            append_utf8(encoded, c);
        emit(encoded, cluster_.size());
        cluster_.clear();
        cluster_dropped_marks_ = false;
    }

    bool emit(const std::string &unit, size_t unit_length)
    {
        if (full_)
            return false;
        const size_t needed = unit_length + (pending_space_ ? 1 : 0);
        if (needed > max_codepoints_ - text_length_) {
            full_ = true; // later units must not be shown out of order: stop here
            return false;
        }
        if (pending_space_)
            text_ += ' ';
        text_ += unit;
        text_length_ += needed;
        pending_space_ = false;
        return true;
    }

    const size_t max_codepoints_;
    const size_t max_marks_;
    std::string text_;
    size_t text_length_ = 0; // in code points
    std::u32string cluster_; // a base and its kept marks, not yet emitted
    size_t cluster_marks_ = 0;
    bool cluster_dropped_marks_ = false;
    bool pending_space_ = false;
    bool full_ = false;
    bool altered_ = false;
};

} // namespace

namespace detail {

std::u32string to_nfc(std::u32string_view text, bool *cut_nonstarters)
{
    // Below U+0300 every character is a starter, is NFC alone and never composes with what
    // precedes it (ICU's threshold too): such text is NFC already.
    if (std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0x300; }))
        return std::u32string(text);
    struct Item {
        char32_t codepoint;
        int combining_class;
    };
    // Full canonical decomposition, dropping non-starters beyond the stream-safe bound.
    std::vector<Item> items;
    items.reserve(text.size());
    size_t nonstarter_run = 0;
    for (char32_t c : text) {
        gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH] = {c};
        const bool inert = c < 0xC0 || c == replacement_char; // frequent, never decompose
        const gsize part_count =
            inert ? 1 : g_unichar_fully_decompose(c, FALSE, parts, std::size(parts));
        for (gsize i = 0; i < part_count; ++i) {
            const int combining = combining_class(parts[i]);
            if (combining == 0) {
                nonstarter_run = 0;
            } else if (++nonstarter_run > max_nonstarter_run) {
                if (cut_nonstarters)
                    *cut_nonstarters = true;
                continue;
            }
            items.push_back({parts[i], combining});
        }
    }
    // Canonical ordering: a stable insertion sort that never crosses a starter, so each step
    // is bounded by the run length.
    for (size_t i = 1; i < items.size(); ++i) {
        const Item item = items[i];
        size_t j = i;
        while (j > 0 && items[j - 1].combining_class > item.combining_class &&
               item.combining_class > 0) {
            items[j] = items[j - 1];
            --j;
        }
        items[j] = item;
    }
    // Canonical composition with the last starter, unless a character in between blocks it.
    std::u32string composed(items.size(), U'\0');
    size_t count = 0;
    size_t last_starter = std::u32string::npos;
    int last_class = 0; // combining class of composed[count - 1]
    for (const Item &item : items) {
        // Every second half of a composition lies at or above U+0300.
        if (last_starter != std::u32string::npos && item.codepoint >= 0x300) {
            const bool adjacent = last_starter + 1 == count;
            const bool blocked =
                !adjacent && (last_class == 0 || last_class >= item.combining_class);
            gunichar primary = 0;
            if (!blocked && g_unichar_compose(composed[last_starter], item.codepoint, &primary)) {
                composed[last_starter] = primary;
                continue;
            }
        }
        composed[count++] = item.codepoint;
        last_class = item.combining_class;
        if (item.combining_class == 0)
            last_starter = count - 1;
    }
    composed.resize(count);
    return composed;
}

} // namespace detail

SanitizedText sanitize_title(std::string_view raw, const SanitizeLimits &limits)
{
    const bool input_was_cut = raw.size() > limits.max_input_bytes;
    bool had_invalid = false;
    const std::u32string decoded =
        decode_utf8(raw.substr(0, limits.max_input_bytes), input_was_cut, had_invalid);
    bool cut_nonstarters = false;
    const std::u32string normalized = detail::to_nfc(decoded, &cut_nonstarters);

    TitleBuilder builder(limits);
    for (char32_t c : normalized) {
        if (builder.full())
            break;
        switch (classify(c)) {
        case CharKind::base: builder.add_base(c); break;
        case CharKind::mark: builder.add_mark(c); break;
        case CharKind::space: builder.add_space(c); break;
        case CharKind::escape: builder.add_escape(c); break;
        }
    }
    return builder.finish(input_was_cut, had_invalid || cut_nonstarters);
}

bool is_safe_plain_text(std::string_view text)
{
    bool had_invalid = false;
    const std::u32string decoded = decode_utf8(text, false, had_invalid);
    return !had_invalid && std::none_of(decoded.begin(), decoded.end(), is_unsafe);
}

} // namespace rampart::policy
