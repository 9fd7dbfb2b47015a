// The keyboard layout's short name on the panel (declared in layout.hpp).
#include "layout.hpp"

#include <glib.h>

#include <algorithm>
#include <utility>

namespace rampart::panel {

std::string short_layout_name(std::string_view xkb_name)
{
    static const std::pair<std::string_view, std::string_view> languages[] = {
        {"English", "EN"},    {"German", "DE"},     {"French", "FR"},     {"Spanish", "ES"},
        {"Italian", "IT"},    {"Portuguese", "PT"}, {"Dutch", "NL"},      {"Russian", "RU"},
        {"Ukrainian", "UK"},  {"Polish", "PL"},     {"Czech", "CS"},      {"Slovak", "SK"},
        {"Hungarian", "HU"},  {"Romanian", "RO"},   {"Bulgarian", "BG"},  {"Serbian", "SR"},
        {"Croatian", "HR"},   {"Slovenian", "SL"},  {"Swedish", "SV"},    {"Norwegian", "NO"},
        {"Danish", "DA"},     {"Finnish", "FI"},    {"Estonian", "ET"},   {"Latvian", "LV"},
        {"Lithuanian", "LT"}, {"Icelandic", "IS"},  {"Irish", "GA"},      {"Greek", "EL"},
        {"Turkish", "TR"},    {"Hebrew", "HE"},     {"Arabic", "AR"},     {"Persian", "FA"},
        {"Hindi", "HI"},      {"Thai", "TH"},       {"Vietnamese", "VI"}, {"Japanese", "JA"},
        {"Korean", "KO"},     {"Chinese", "ZH"},
    };
    auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    auto upper = [](std::string_view text) {
        std::string out(text);
        for (char &c : out)
            c = g_ascii_toupper(c);
        return out;
    };
    while (!xkb_name.empty() && is_space(xkb_name.front()))
        xkb_name.remove_prefix(1);
    const std::size_t word_end = std::min(xkb_name.find_first_of(" (,"), xkb_name.size());
    const std::string_view word = xkb_name.substr(0, word_end);
    if (word.size() == xkb_name.size() && word.size() <= 3) // already short, as in "us"
        return upper(word);

    std::string result;
    for (const auto &[name, code] : languages)
        if (word == name)
            result = code;
    if (!g_utf8_validate(word.data(), static_cast<gssize>(word.size()), nullptr))
        return "?";
    if (result.empty() && !word.empty()) { // unknown: its first two characters, whole ones
        const char *end = g_utf8_offset_to_pointer(
            word.data(),
            std::min<glong>(2, g_utf8_strlen(word.data(), static_cast<gssize>(word.size()))));
        result = upper(std::string_view(word.data(), static_cast<std::size_t>(end - word.data())));
    }

    // A variant such as "(US)" or "(Dvorak)" matters when typing a password: keep a short form.
    const std::size_t open = xkb_name.find('(');
    if (open != std::string_view::npos) {
        std::string_view variant = xkb_name.substr(open + 1);
        variant = variant.substr(0, std::min(variant.find_first_of(" ,)"), variant.size()));
        std::size_t letters = 0;
        while (letters < variant.size() && letters < 3 && g_ascii_isalpha(variant[letters]))
            ++letters;
        if (letters >= 2)
            result += "-" + upper(variant.substr(0, letters));
    }
    return result;
}

} // namespace rampart::panel
