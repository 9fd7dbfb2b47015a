// libFuzzer target for the title sanitiser: any bytes under any limits must give a result that
// keeps every invariant, and the linear NFC must agree with g_utf8_normalize. Clang only:
//   ninja -C build tests/fuzz/title-fuzz && build/tests/fuzz/title-fuzz -max_total_time=60
#include "policy/title_sanitizer.hpp"

#include <glib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using rampart::policy::is_safe_plain_text;
using rampart::policy::sanitize_title;
using rampart::policy::SanitizedText;
using rampart::policy::SanitizeLimits;

namespace {

constexpr std::string_view ellipsis = "\u2026";
constexpr std::string_view escape_close = "\u27E9";

void require(bool holds, const char *invariant)
{
    if (!holds) {
        std::fprintf(stderr, "title sanitiser invariant broken: %s\n", invariant);
        std::abort();
    }
}

std::string glib_nfc(std::string_view text)
{
    gchar *normalized =
        g_utf8_normalize(text.data(), static_cast<gssize>(text.size()), G_NORMALIZE_NFC);
    std::string out = normalized ? normalized : "";
    g_free(normalized);
    return out;
}

bool is_mark(gunichar c)
{
    const GUnicodeType type = g_unichar_type(c);
    return type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
           type == G_UNICODE_ENCLOSING_MARK || g_unichar_combining_class(c) > 0;
}

// Walks the visible text: escapes are whole and stand for characters that needed one; marks
// sit on a base and are never stacked beyond the limit.
void check_units(std::string_view body, int max_marks)
{
    int marks_in_row = 0;
    bool base_before = false;
    for (const char *p = body.data(), *end = body.data() + body.size(); p < end;
         p = g_utf8_next_char(p)) {
        const gunichar c = g_utf8_get_char(p);
        require(c != 0x27E9, "no stray escape close");
        if (c == 0x27E8) {
            require(end - p >= 3 + 2 + 4 + 3 && std::string_view(p + 3, 2) == "U+",
                    "escape starts with U+");
            const char *digit = p + 5;
            gunichar escaped = 0;
            for (; digit < end && g_ascii_isxdigit(*digit) && !g_ascii_islower(*digit); ++digit)
                escaped = escaped * 16 + static_cast<gunichar>(g_ascii_xdigit_value(*digit));
            require(digit - (p + 5) >= 4 && digit - (p + 5) <= 6, "escape has 4 to 6 digits");
            require(end - digit >= 3 && std::string_view(digit, 3) == escape_close,
                    "escape is closed");
            char alone[8];
            const auto length = static_cast<size_t>(g_unichar_to_utf8(escaped, alone));
            require(!is_safe_plain_text(std::string_view(alone, length)) || is_mark(escaped) ||
                        escaped == 0x27E8 || escaped == 0x27E9,
                    "only characters that need it are escaped");
            p = digit;
            base_before = false;
            marks_in_row = 0;
        } else if (c == ' ') {
            base_before = false;
            marks_in_row = 0;
        } else if (is_mark(c)) {
            require(base_before, "a combining mark has a base");
            require(++marks_in_row <= max_marks, "no more combining marks than the limit");
        } else {
            base_before = true;
            marks_in_row = 0;
        }
    }
}

void check_result(std::string_view raw, const SanitizeLimits &limits, const SanitizedText &result)
{
    require(is_safe_plain_text(result.text), "the text is safe plain text");
    std::string_view body = result.text;
    if (result.truncated) {
        require(body.size() >= ellipsis.size() &&
                    body.substr(body.size() - ellipsis.size()) == ellipsis,
                "a cut text ends with the marker");
        body.remove_suffix(ellipsis.size());
    }
    require(raw.size() <= limits.max_input_bytes || result.truncated, "an input cut is flagged");
    require(static_cast<size_t>(g_utf8_strlen(body.data(), static_cast<gssize>(body.size()))) <=
                limits.max_codepoints,
            "the text fits max_codepoints");
    require(glib_nfc(result.text) == result.text, "the text is NFC");
    require(body.empty() || (body.front() != ' ' && body.back() != ' '), "spaces are trimmed");
    require(body.find("  ") == std::string_view::npos, "spaces are collapsed");
    check_units(body, std::clamp(limits.max_combining_per_base, 0, 30));
    if (!result.altered && !result.truncated)
        require(glib_nfc(raw) == result.text, "an unaltered text is the input, in NFC");
}

// The linear NFC must agree with GLib's wherever GLib can be asked (valid UTF-8, no NUL).
void check_nfc_agrees(std::string_view raw)
{
    if (raw.size() > 512 || raw.find('\0') != std::string_view::npos)
        return;
    glong count = 0;
    gunichar *ucs4 =
        g_utf8_to_ucs4(raw.data(), static_cast<glong>(raw.size()), nullptr, &count, nullptr);
    if (!ucs4)
        return;
    const std::u32string codepoints(reinterpret_cast<const char32_t *>(ucs4),
                                    static_cast<size_t>(count));
    g_free(ucs4);
    bool cut = false;
    const std::u32string ours = rampart::policy::detail::to_nfc(codepoints, &cut);
    if (cut)
        return;
    std::string ours_utf8;
    for (char32_t c : ours) {
        char encoded[8];
        ours_utf8.append(encoded, static_cast<size_t>(g_unichar_to_utf8(c, encoded)));
    }
    require(ours_utf8 == glib_nfc(raw), "linear NFC agrees with g_utf8_normalize");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view raw(reinterpret_cast<const char *>(data), size);
    SanitizeLimits limits;
    // A first byte with the top bit set picks small limits, so the cut paths get explored.
    if (size >= 2 && (data[0] & 0x80)) {
        limits.max_input_bytes = static_cast<size_t>(data[0] & 0x7F) * 4;
        limits.max_codepoints = data[1] % 64;
        limits.max_combining_per_base = (data[1] >> 6) - 1;
        raw.remove_prefix(2);
    }
    const SanitizedText result = sanitize_title(raw, limits);
    check_result(raw, limits, result);
    const SanitizedText again = sanitize_title(raw, limits);
    require(again.text == result.text && again.truncated == result.truncated &&
                again.altered == result.altered,
            "deterministic");
    check_nfc_agrees(raw);
    return 0;
}
