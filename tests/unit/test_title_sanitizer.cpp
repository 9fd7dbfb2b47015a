#include "policy/title_sanitizer.hpp"

#include <catch2/catch.hpp>
#include <glib.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

using rampart::policy::is_safe_plain_text;
using rampart::policy::sanitize_title;
using rampart::policy::SanitizedText;
using rampart::policy::SanitizeLimits;

namespace {

const std::string ellipsis = "\u2026";

std::string esc(const char *hex)
{
    return std::string("\u27E8U+") + hex + "\u27E9";
}

std::string clean(std::string_view raw, const SanitizeLimits &limits = {})
{
    return sanitize_title(raw, limits).text;
}

std::string to_utf8(std::u32string_view codepoints)
{
    std::string out;
    for (char32_t c : codepoints) {
        char buffer[8];
        out.append(buffer, static_cast<size_t>(g_unichar_to_utf8(c, buffer)));
    }
    return out;
}

std::string hex_bytes(std::string_view bytes)
{
    std::string out;
    for (char byte : bytes) {
        char two[4];
        g_snprintf(two, sizeof two, "%02x", static_cast<unsigned char>(byte));
        out += two;
    }
    return out;
}

std::string glib_nfc(std::string_view text)
{
    gchar *normalized =
        g_utf8_normalize(text.data(), static_cast<gssize>(text.size()), G_NORMALIZE_NFC);
    std::string out = normalized ? normalized : "<invalid>";
    g_free(normalized);
    return out;
}

bool is_mark(gunichar c)
{
    const GUnicodeType type = g_unichar_type(c);
    return type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
           type == G_UNICODE_ENCLOSING_MARK || g_unichar_combining_class(c) > 0;
}

// Everything a result must satisfy, whatever the input; returns what is wrong, or "".
// Checking NFC with g_utf8_normalize costs more than sanitising, so the corpus samples it.
std::string invariant_violation(std::string_view raw, const SanitizeLimits &limits,
                                const SanitizedText &result, bool check_nfc = true)
{
    if (!is_safe_plain_text(result.text))
        return "unsafe text";
    std::string_view body = result.text;
    if (result.truncated) {
        if (body.size() < ellipsis.size() || body.substr(body.size() - ellipsis.size()) != ellipsis)
            return "truncated without the cut marker";
        body.remove_suffix(ellipsis.size());
    }
    if (raw.size() > limits.max_input_bytes && !result.truncated)
        return "input cut but not flagged";
    if (static_cast<size_t>(g_utf8_strlen(body.data(), static_cast<gssize>(body.size()))) >
        limits.max_codepoints)
        return "longer than max_codepoints";
    if (!body.empty() && (body.front() == ' ' || body.back() == ' '))
        return "untrimmed space";
    if (body.find("  ") != std::string_view::npos)
        return "uncollapsed spaces";
    const auto max_marks = std::clamp(limits.max_combining_per_base, 0, 30);
    int marks_in_row = 0;
    bool base_before = false; // a mark may only follow a base or a kept mark
    for (const char *p = body.data(), *end = body.data() + body.size(); p < end;
         p = g_utf8_next_char(p)) {
        const gunichar c = g_utf8_get_char(p);
        if (c == 0x27E9)
            return "stray escape close";
        if (c == 0x27E8) { // must be a whole escape of a character that needed one
            const char *hex = p + 3 + 2;
            if (end - p < 3 + 2 + 4 + 3 || std::string_view(p + 3, 2) != "U+")
                return "malformed escape";
            gunichar escaped = 0;
            const char *close = hex;
            for (; close < end && g_ascii_isxdigit(*close) && !g_ascii_islower(*close); ++close)
                escaped = escaped * 16 + static_cast<gunichar>(g_ascii_xdigit_value(*close));
            if (close - hex < 4 || close - hex > 6 || end - close < 3 ||
                std::string_view(close, 3) != "\u27E9")
                return "malformed escape";
            char one[8];
            const std::string_view alone(one, static_cast<size_t>(g_unichar_to_utf8(escaped, one)));
            if (is_safe_plain_text(alone) && !is_mark(escaped) && escaped != 0x27E8 &&
                escaped != 0x27E9)
                return "escaped a harmless character";
            p = close; // g_utf8_next_char steps over the close
            base_before = false;
            marks_in_row = 0;
        } else if (c == ' ') {
            base_before = false;
            marks_in_row = 0;
        } else if (is_mark(c)) {
            if (!base_before)
                return "combining mark without a base";
            if (++marks_in_row > max_marks)
                return "too many combining marks";
        } else {
            base_before = true;
            marks_in_row = 0;
        }
    }
    if (check_nfc && glib_nfc(result.text) != result.text)
        return "not NFC";
    // Honesty: what is shown unaltered and uncut is exactly what the client sent.
    if (!result.altered && !result.truncated && glib_nfc(raw) != result.text)
        return "unaltered but different from the input";
    return "";
}

// clang-format off
const std::vector<std::string> nasty_seeds = {
    "abc\u202Efdp.exe", "pay\u200Bpal", "\u2066evil\u2069", "\xff\xfe", "\xc0\xaf",
    "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "<b>bold</b> &amp;",
    "[SECRET] \u25A0 Passwords", "Z\u0351\u0352\u0357\u035B\u0363\u0364\u0365\u0489\u0301",
    "e\u0301", "\u2764\uFE0F", std::string("ab\0cd", 5), "a\tb\nc\r\n", " \u00A0x\u3000 ",
    "\u27E8U+202E\u27E9", "\u1100\u1161\u11A8", "\u0F73\u0F73\u0F73", "\u09C7\u09BE",
    "\U000E0041\U000E007F", "\uE000\U0010FFFF\u0378", "\u0301start", "\u3164\u115F",
    "\u2028\u2029\u0085\x7f\x1b[31m", "\U0001F468\u200D\U0001F469\u200D\U0001F467",
    "\u0915\u094D\u0937\u093F", "\u212B\u2126", "\u0344\u0958", "x\u0323\u0302\u0301\u0308",
    "\u1100\u0B47\u1161\u0B47\u11A8",
};
// clang-format on

const std::u32string interesting_codepoints = {
    'a',    'e',    'Z',    ' ',    '\t',   '\n',   '<',    '&',     0x301,   0x302,  0x323,
    0x308,  0x344,  0x363,  0x489,  0xF71,  0xF72,  0xF73,  0x915,   0x93F,   0x94D,  0x9C7,
    0x9BE,  0x9D7,  0x1100, 0x1161, 0x11A8, 0xAC00, 0x115F, 0x3164,  0x212B,  0x2126, 0x958,
    0x200B, 0x200D, 0x202E, 0x2066, 0x2028, 0xFEFF, 0xFE0F, 0xE0041, 0xE0100, 0xE000, 0x10FFFF,
    0x378,  0x27E8, 0x27E9, 0x2026, 0xA0,   0x3000, 0x2800, 0x1F600, 0x1F3FB, 0x2764, 0xFFFD,
    0x85,   0x7F,   0x5D0,  0x5B4,  0x627,  0x64B,  0xE01,  0xE48,   0x1E0B,  0x307,  0x30A,
    0x1B05, 0x1B35, 0x0B47, 0x0B3E, 0x0B57,
};

std::u32string random_codepoints(std::mt19937 &rng)
{
    std::u32string out(rng() % 80, U'a');
    for (char32_t &c : out) {
        c = rng() % 4 ? interesting_codepoints[rng() % interesting_codepoints.size()]
                      : static_cast<char32_t>(rng() % 0x110000);
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD;
    }
    return out;
}

std::string mutated_seed(std::mt19937 &rng)
{
    std::string out = nasty_seeds[rng() % nasty_seeds.size()];
    for (unsigned round = 0, rounds = 1 + rng() % 8; round < rounds; ++round) {
        const size_t at = out.empty() ? 0 : rng() % (out.size() + 1);
        switch (rng() % 4) {
        case 0: out.insert(at, 1, static_cast<char>(rng())); break;
        case 1:
            if (at < out.size())
                out.erase(at, 1 + rng() % 3);
            break;
        case 2: out.insert(at, nasty_seeds[rng() % nasty_seeds.size()]); break;
        default: out.insert(at, out.substr(at, rng() % 16)); break;
        }
    }
    return out;
}

} // namespace

TEST_CASE("hostile titles are shown honestly", "[sanitizer]")
{
    SECTION("a right-to-left override is shown, not obeyed")
    {
        const SanitizedText result = sanitize_title("abc\u202Efdp.exe");
        CHECK(result.text == "abc" + esc("202E") + "fdp.exe");
        CHECK(result.altered);
        CHECK_FALSE(result.truncated);
        CHECK(clean("\u2067x\u2069\u200E\u061C") ==
              esc("2067") + "x" + esc("2069") + esc("200E") + esc("061C"));
    }
    SECTION("zero-width and invisible characters are shown")
    {
        CHECK(clean("pay\u200Bpal") == "pay" + esc("200B") + "pal");
        CHECK(clean("a\u200Db\u200Cc\u2060d\uFEFFe\u00ADf") ==
              "a" + esc("200D") + "b" + esc("200C") + "c" + esc("2060") + "d" + esc("FEFF") + "e" +
                  esc("00AD") + "f");
        CHECK(clean("\U0001F468\u200D\U0001F469") == "\U0001F468" + esc("200D") + "\U0001F469");
        CHECK(clean("\u3164") == esc("3164"));
        CHECK(clean("x\U000E0041\U000E007F") == "x" + esc("E0041") + esc("E007F"));
        CHECK(clean("\uE000\U0010FFFF\u0378\uFFFC") ==
              esc("E000") + esc("10FFFF") + esc("0378") + esc("FFFC"));
        CHECK(clean("a\u2028b\u2029c") == "a" + esc("2028") + "b" + esc("2029") + "c");
    }
    SECTION("controls are shown; tabs and newlines become one space")
    {
        CHECK(clean(std::string("ab\0cd", 5)) == "ab" + esc("0000") + "cd");
        CHECK(clean("\x1b[31mred\x7f\u0085") ==
              esc("001B") + "[31mred" + esc("007F") + esc("0085"));
        const SanitizedText result = sanitize_title("a\tb\n\nc\r\n  d");
        CHECK(result.text == "a b c d");
        CHECK(result.altered);
    }
    SECTION("whitespace is normalised and trimmed")
    {
        CHECK(clean("  \u00A0hello\u3000\u2003 world \t") == "hello world");
        CHECK(clean("   \t\n ").empty());
        CHECK(clean("").empty());
        CHECK_FALSE(sanitize_title("").altered);
        CHECK(sanitize_title(" x").altered);
        CHECK_FALSE(sanitize_title("x y").altered);
    }
    SECTION("invalid UTF-8 becomes U+FFFD, one per maximal bad subpart")
    {
        CHECK(clean("\xff\xfe") == "\uFFFD\uFFFD");
        CHECK(clean("\xc0\xaf") == "\uFFFD\uFFFD");                     // overlong '/'
        CHECK(clean("\xed\xa0\x80") == "\uFFFD\uFFFD\uFFFD");           // surrogate
        CHECK(clean("\xe2\x82") == "\uFFFD");                           // truncated
        CHECK(clean(std::string("a\xe2\x82") + 'b') == "a\uFFFDb");     // truncated mid-text
        CHECK(clean("\xf4\x90\x80\x80") == "\uFFFD\uFFFD\uFFFD\uFFFD"); // above U+10FFFF
        CHECK(clean("\x80x") == "\uFFFDx");                             // stray continuation
        CHECK(sanitize_title("\xff").altered);
    }
    SECTION("markup and look-alike level labels stay literal and in order")
    {
        const SanitizedText markup = sanitize_title("<b>bold</b> &amp;");
        CHECK(markup.text == "<b>bold</b> &amp;");
        CHECK_FALSE(markup.altered);
        const SanitizedText label = sanitize_title("[SECRET] \u25A0 Passwords");
        CHECK(label.text == "[SECRET] \u25A0 Passwords");
        CHECK_FALSE(label.altered);
    }
    SECTION("fullwidth and homoglyph text is left alone")
    {
        CHECK(clean("\uFF50\uFF41\uFF59\uFF50\uFF41\uFF4C") ==
              "\uFF50\uFF41\uFF59\uFF50\uFF41\uFF4C");
        CHECK(clean("\u0440\u0430\u0443pal") == "\u0440\u0430\u0443pal");
    }
    SECTION("a forged escape cannot pass for a real one")
    {
        CHECK(clean("\u27E8U+202E\u27E9") == esc("27E8") + "U+202E" + esc("27E9"));
    }
    SECTION("emoji variation selectors are shown (the safe, honest choice)")
    {
        CHECK(clean("\u2764\uFE0F") == "\u2764" + esc("FE0F"));
        CHECK(clean("1\uFE0F\u20E3") == "1" + esc("FE0F") + esc("20E3")); // keycap: no base
        CHECK(clean("\U0001F44D\U0001F3FD") == "\U0001F44D\U0001F3FD");   // skin tone stays
    }
}

TEST_CASE("combining marks: NFC, Zalgo stacks and marks without a base", "[sanitizer]")
{
    const SanitizedText composed = sanitize_title("e\u0301");
    CHECK(composed.text == "\u00E9");
    CHECK_FALSE(composed.altered); // canonically the same text
    CHECK(clean("\u212B\u1100\u1161\u11A8") == "\u00C5\uAC01");
    CHECK(clean("\u0915\u094D\u0937\u093F") == "\u0915\u094D\u0937\u093F");

    std::string zalgo = "a";
    for (int i = 0; i < 50; ++i)
        zalgo += "\u0363";
    zalgo += "b\u0364";
    const SanitizedText stacked = sanitize_title(zalgo);
    CHECK(stacked.text == "a\u0363\u0363b\u0364");
    CHECK(stacked.altered);
    SanitizeLimits no_marks;
    no_marks.max_combining_per_base = 0;
    CHECK(clean("x\u0363y", no_marks) == "xy");
    // Jamo that dropped marks leave adjacent are composed, as NFC would.
    CHECK(clean("\u1100\u0B47\u1161\u0B47\u11A8", no_marks) == "\uAC01");

    CHECK(clean("\u0301abc") == esc("0301") + "abc");
    CHECK(clean("a \u0301b") == "a " + esc("0301") + "b");
    CHECK(clean("\u202E\u0301") == esc("202E") + esc("0301"));
}

TEST_CASE("limits are honoured exactly", "[sanitizer]")
{
    SanitizeLimits ten;
    ten.max_codepoints = 10;
    const SanitizedText fits = sanitize_title("0123456789", ten);
    CHECK(fits.text == "0123456789");
    CHECK_FALSE(fits.truncated);
    const SanitizedText cut = sanitize_title("0123456789A", ten);
    CHECK(cut.text == "0123456789" + ellipsis);
    CHECK(cut.truncated);
    CHECK_FALSE(cut.altered);
    CHECK(clean("ab\u202E", ten) == "ab" + esc("202E"));                   // 2 + 8 code points fit
    CHECK(clean("abc\u202E", ten) == "abc" + ellipsis);                    // never inside an escape
    CHECK(clean("abcdefghix\u0363\u0363", ten) == "abcdefghi" + ellipsis); // nor a cluster
    CHECK(clean("abcdefghi jk", ten) == "abcdefghi" + ellipsis); // no space before the marker

    SanitizeLimits three_bytes;
    three_bytes.max_input_bytes = 3;
    CHECK(clean("abcdef", three_bytes) == "abc" + ellipsis);
    const SanitizedText mid_character = sanitize_title("ab\u00E9", three_bytes);
    CHECK(mid_character.text == "ab" + ellipsis); // the cut is not an invalid sequence
    CHECK_FALSE(mid_character.altered);
    CHECK(sanitize_title("abc", three_bytes).text == "abc");
    CHECK(clean("   x", three_bytes) == ellipsis); // nothing shown, but something was cut
}

TEST_CASE("huge and adversarial titles stay fast", "[sanitizer]")
{
    const std::string huge(10 * 1024 * 1024, 'A');
    const auto start = std::chrono::steady_clock::now();
    const SanitizedText result = sanitize_title(huge);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200));
    CHECK(result.truncated);
    CHECK(result.text == std::string(256, 'A') + ellipsis);

    // Long runs of reordering marks and of compositions are quadratic in g_utf8_normalize.
    SanitizeLimits wide;
    wide.max_input_bytes = 1 << 20;
    wide.max_codepoints = 1 << 20;
    std::string reorder = "a", compose;
    while (reorder.size() + 4 <= wide.max_input_bytes)
        reorder += "\u0301\u0323";
    while (compose.size() + 4 <= wide.max_input_bytes)
        compose += "\u0438\u0306";
    const auto wide_start = std::chrono::steady_clock::now();
    CHECK(sanitize_title(reorder, wide).text == "\u1EA1\u0323\u0323");
    CHECK(sanitize_title(compose, wide).text.size() == compose.size() / 2);
    CHECK(std::chrono::steady_clock::now() - wide_start < std::chrono::seconds(2));
}

TEST_CASE("is_safe_plain_text rejects what can hide, reorder or break text", "[sanitizer]")
{
    CHECK(is_safe_plain_text("plain <b> & \u00E9 \u2764 \U0001F600 \u27E8U+202E\u27E9"));
    CHECK(is_safe_plain_text(""));
    for (const char *unsafe :
         {"\xff",   "\xc0\xaf",   "\xed\xa0\x80", "a\xe2\x82", "\x01",   "\t",     "\n",
          "\x7f",   "\u0085",     "\u202E",       "\u2066",    "\u200E", "\u061C", "\u200B",
          "\u200D", "\u2060",     "\uFEFF",       "\u00AD",    "\u034F", "\u115F", "\u3164",
          "\uFE0F", "\U000E0100", "\U000E0041",   "\uFFF9",    "\uFFFC", "\uE000", "\U0010FFFF",
          "\u0378", "\u2028",     "\u2029",       "\u180E"})
        CHECK_FALSE(is_safe_plain_text(unsafe));
    CHECK_FALSE(is_safe_plain_text(std::string("a\0b", 3)));
}

TEST_CASE("linear NFC agrees with g_utf8_normalize", "[sanitizer]")
{
    std::mt19937 rng(7);
    int compared = 0;
    for (int i = 0; i < 20000; ++i) {
        std::u32string text = random_codepoints(rng);
        std::replace(text.begin(), text.end(), U'\0', U'0'); // glib stops at NUL
        bool cut = false;
        const std::u32string ours = rampart::policy::detail::to_nfc(text, &cut);
        if (cut)
            continue;
        ++compared;
        const std::string expected = glib_nfc(to_utf8(text));
        if (to_utf8(ours) != expected)
            FAIL("NFC differs for " << to_utf8(text));
    }
    CHECK(compared > 19000);
}

TEST_CASE("random and mutated corpus keeps every invariant", "[sanitizer]")
{
    std::mt19937 rng(20240601);
    constexpr int corpus_size = 200000;
    int failures = 0;
    for (int i = 0; i < corpus_size && failures < 10; ++i) {
        std::string raw;
        switch (i % 4) {
        case 0:
            raw.resize(rng() % 301);
            for (size_t at = 0, bits = 0; at < raw.size(); ++at) { // four bytes per draw
                bits = at % 4 ? bits >> 8 : rng();
                raw[at] = static_cast<char>(bits);
            }
            break;
        case 1: raw = to_utf8(random_codepoints(rng)); break;
        case 2: raw = mutated_seed(rng); break;
        default: // UTF-8-shaped noise: leads, continuations and ASCII
            raw.resize(rng() % 301);
            for (char &byte : raw)
                byte = static_cast<char>(rng() % 3 ? 0x80 + rng() % 0x80 : rng() % 0x80);
        }
        SanitizeLimits limits;
        if (rng() % 4 == 0) {
            limits.max_input_bytes = rng() % 320;
            limits.max_codepoints = rng() % 40;
            limits.max_combining_per_base = static_cast<int>(rng() % 6) - 1;
        }
        const SanitizedText result = sanitize_title(raw, limits);
        const std::string violation = invariant_violation(raw, limits, result, i % 3 == 0);
        if (!violation.empty()) {
            ++failures;
            FAIL_CHECK(violation << " for input " << hex_bytes(raw) << " -> "
                                 << hex_bytes(result.text));
        }
    }
    CHECK(failures == 0);
}

TEST_CASE("results are deterministic across threads", "[sanitizer]")
{
    std::vector<std::string> inputs;
    std::mt19937 rng(99);
    for (int i = 0; i < 2000; ++i)
        inputs.push_back(i % 2 ? mutated_seed(rng) : to_utf8(random_codepoints(rng)));
    std::vector<std::string> expected;
    for (const std::string &input : inputs)
        expected.push_back(sanitize_title(input).text);
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (size_t i = 0; i < inputs.size(); ++i)
                mismatches[t] += sanitize_title(inputs[i]).text != expected[i];
        });
    for (std::thread &thread : threads)
        thread.join();
    CHECK(mismatches == std::vector<int>(4, 0));
}
