#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace rampart::hostile {

namespace {

constexpr const char *usage_text = R"(usage: rampart-hostile-client [options] ATTACK
Connects to $WAYLAND_DISPLAY (or --display), performs one attack, prints JSON lines.
Attacks:
  --list-globals             print the advertised globals (not an attack)
  --list-privileged          print the interfaces this client knows how to probe
  --bind-by-name IFACE       bind IFACE if advertised, then prove the bind works
  --bind-by-number IFACE     guess IFACE's numeric name: try every name in 1..--max-number
                             that is not advertised as another interface, one connection
                             per try, stop at the first that works
  --many-windows N           N toplevels sharing one buffer of --size
  --huge-title BYTES         map a window, set a BYTES-byte title (and the largest that fits)
  --evil-title KIND          map a window with a hostile title; KIND: %s
  --fake-frame RRGGBB        map a window that draws its own title bar and borders
  --subsurface-over X,Y,WxH  map a window with a subsurface there (filled with --sub-color)
  --popup-escape X,Y,WxH     map a window with an unconstrained popup anchored there
  --output-sized             map a borderless window as big as the first output's mode
  --keylogger                map a window, log every keyboard and pointer event
                             (--cursor-size N: set an NxN cursor on pointer enter;
                              --cursor-grow M: then grow that cursor to MxM)
Options:
  --display NAME|PATH        compositor socket (default: $WAYLAND_DISPLAY)
  --size WxH                 window size (default 400x300)
  --color RRGGBB             window colour (default 3366cc)
  --sub-color RRGGBB         subsurface colour (default ff00ff)
  --timeout S                how long to wait for configures and probe replies (default 5)
  --max-number N             --bind-by-number: highest name to try (default 256)
  --exit-after-map           window attacks: report and exit once mapped
  --hold                     --many-windows: keep running after the report
Exit codes: 0 refused, 1 the compositor let it through, 2 bad usage, 3 disconnected while
running (window attacks), 4 setup failure unrelated to the attack.
Window attacks run until SIGTERM/SIGINT; the exit code then follows "refused".
)";

struct AttackFlag {
    std::string_view flag;
    Attack attack;
    bool takes_value;
};

constexpr AttackFlag attack_flags[] = {
    {"--list-globals", Attack::list_globals, false},
    {"--list-privileged", Attack::list_privileged, false},
    {"--bind-by-name", Attack::bind_by_name, true},
    {"--bind-by-number", Attack::bind_by_number, true},
    {"--many-windows", Attack::many_windows, true},
    {"--huge-title", Attack::huge_title, true},
    {"--evil-title", Attack::evil_title, true},
    {"--fake-frame", Attack::fake_frame, true},
    {"--subsurface-over", Attack::subsurface_over, true},
    {"--popup-escape", Attack::popup_escape, true},
    {"--output-sized", Attack::output_sized, false},
    {"--keylogger", Attack::keylogger, false},
};

std::optional<std::string_view> split_at(std::string_view text, char sep, std::string_view &rest)
{
    auto pos = text.find(sep);
    if (pos == std::string_view::npos)
        return std::nullopt;
    rest = text.substr(pos + 1);
    return text.substr(0, pos);
}

// Sets the attack's own parameter from its value; false if the value is malformed.
bool set_attack_value(Options &opts, std::string_view value)
{
    switch (opts.attack) {
    case Attack::bind_by_name:
    case Attack::bind_by_number: opts.interface = value; return !value.empty();
    case Attack::many_windows: {
        auto count = parse_int(value);
        opts.window_count = count ? int(*count) : 0;
        return count && *count > 0 && *count <= 100000;
    }
    case Attack::huge_title: {
        auto bytes = parse_int(value);
        opts.title_bytes = bytes ? uint64_t(*bytes) : 0;
        return bytes && *bytes > 0 && *bytes <= int64_t{1} << 30;
    }
    case Attack::evil_title: opts.evil_kind = value; return evil_title(value).has_value();
    case Attack::fake_frame: {
        auto color = parse_color(value);
        opts.frame_color = color.value_or(0);
        return color.has_value();
    }
    case Attack::subsurface_over:
    case Attack::popup_escape: {
        auto rect = parse_rect(value);
        opts.rect = rect.value_or(Rect{});
        return rect.has_value();
    }
    default: return true;
    }
}

// Options that take a value; each setter returns false if the value is malformed.
using Setter = bool (*)(Options &opts, std::string_view text);
const std::map<std::string_view, Setter> value_options = {
    {"--display",
     [](Options &opts, std::string_view text) {
         opts.display = std::string(text);
         return true;
     }},
    {"--size",
     [](Options &opts, std::string_view text) {
         auto size = parse_size(text);
         opts.size = size.value_or(opts.size);
         return size.has_value();
     }},
    {"--color",
     [](Options &opts, std::string_view text) {
         auto color = parse_color(text);
         opts.color = color.value_or(opts.color);
         return color.has_value();
     }},
    {"--sub-color",
     [](Options &opts, std::string_view text) {
         auto color = parse_color(text);
         opts.sub_color = color.value_or(opts.sub_color);
         return color.has_value();
     }},
    {"--cursor-size",
     [](Options &opts, std::string_view text) {
         auto value = parse_int(text);
         opts.cursor_size = value ? static_cast<int>(*value) : 0;
         return value && *value > 0 && *value <= 4096;
     }},
    {"--cursor-grow",
     [](Options &opts, std::string_view text) {
         auto value = parse_int(text);
         opts.cursor_grow = value ? static_cast<int>(*value) : 0;
         return value && *value > 0 && *value <= 4096;
     }},
    {"--timeout",
     [](Options &opts, std::string_view text) {
         std::string copy(text);
         char *end = nullptr;
         opts.timeout_seconds = std::strtod(copy.c_str(), &end);
         return end && *end == '\0' && opts.timeout_seconds > 0 && opts.timeout_seconds < 1e6;
     }},
    {"--max-number",
     [](Options &opts, std::string_view text) {
         auto number = parse_int(text);
         opts.max_number = uint32_t(number.value_or(0));
         return number && *number > 0 && *number <= 65536;
     }},
};

} // namespace

std::optional<int64_t> parse_int(std::string_view text)
{
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<Size> parse_size(std::string_view text)
{
    std::string_view rest;
    auto first = split_at(text, 'x', rest);
    if (!first)
        return std::nullopt;
    auto width = parse_int(*first);
    auto height = parse_int(rest);
    // Past a compositor's size limits (a 100000x1 surface is cheap), yet small enough that
    // strides stay in int32; ShmBuffer refuses buffers over 2 GiB.
    constexpr int64_t max_side = 1 << 20;
    if (!width || !height || *width <= 0 || *height <= 0 || *width > max_side || *height > max_side)
        return std::nullopt;
    return Size{int32_t(*width), int32_t(*height)};
}

std::optional<Rect> parse_rect(std::string_view text)
{
    std::string_view after_x, after_y;
    auto x_text = split_at(text, ',', after_x);
    auto y_text = x_text ? split_at(after_x, ',', after_y) : std::nullopt;
    if (!y_text)
        return std::nullopt;
    auto x = parse_int(*x_text);
    auto y = parse_int(*y_text);
    auto size = parse_size(after_y);
    if (!x || !y || !size || *x < -1000000 || *x > 1000000 || *y < -1000000 || *y > 1000000)
        return std::nullopt;
    return Rect{int32_t(*x), int32_t(*y), size->width, size->height};
}

std::optional<Color> parse_color(std::string_view text)
{
    if (text.size() != 6)
        return std::nullopt;
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return 0xff000000u | value;
}

const char *evil_title_kinds()
{
    return "rtl zwj invalid-utf8 markup imitation zalgo newlines long";
}

std::optional<std::string> evil_title(std::string_view kind)
{
    if (kind == "rtl") // U+202E RIGHT-TO-LEFT OVERRIDE: shows as "invoiceexe.pdf"
        return "invoice\u202Efdp.exe";
    if (kind == "zwj") // U+200D ZERO WIDTH JOINER inside a word
        return "Pa\u200Dss\u200Dwo\u200Drds";
    if (kind == "invalid-utf8") // libwayland does not check UTF-8: the raw bytes go out
        return "invalid \xff\xfe\xc0\xaf utf8";
    if (kind == "markup")
        return "<b>bold</b> &amp; <span foreground='red'>x</span>";
    if (kind == "imitation") // pretends to be the security label
        return "[SECRET] \u25A0 Secret \u2014 Passwords";
    if (kind == "zalgo") {
        std::string title;
        for (char letter : std::string_view("zalgo")) {
            title += letter;
            for (char32_t mark = 0x300; mark < 0x300 + 20; ++mark) { // combining diacritics
                title += char(0xc0 | (mark >> 6));
                title += char(0x80 | (mark & 0x3f));
            }
        }
        return title;
    }
    if (kind == "newlines")
        return "line1\nline2\tTab";
    if (kind == "long")
        return std::string(2000, 'W');
    return std::nullopt;
}

std::optional<Options> parse_options(int argc, char **argv, std::string &error)
{
    Options opts;
    bool have_attack = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf(usage_text, evil_title_kinds());
            std::exit(0);
        }
        auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string_view(argv[++i]);
        };
        const AttackFlag *flag = nullptr;
        for (const AttackFlag &candidate : attack_flags)
            if (arg == candidate.flag)
                flag = &candidate;
        if (flag) {
            if (have_attack) {
                error = "only one attack per run";
                return std::nullopt;
            }
            have_attack = true;
            opts.attack = flag->attack;
            opts.attack_name = flag->flag.substr(2);
            auto text = flag->takes_value ? value() : std::string_view();
            if (!text || !set_attack_value(opts, *text)) {
                error = "bad or missing value for " + std::string(arg);
                return std::nullopt;
            }
            continue;
        }
        if (arg == "--exit-after-map" || arg == "--hold") {
            (arg == "--hold" ? opts.hold : opts.exit_after_map) = true;
            continue;
        }
        auto option = value_options.find(arg);
        if (option == value_options.end()) {
            error = "unknown option " + std::string(arg);
            return std::nullopt;
        }
        auto text = value();
        if (!text || !option->second(opts, *text)) {
            error = "bad or missing value for " + std::string(arg);
            return std::nullopt;
        }
    }
    if (!have_attack) {
        error = "no attack given (see --help)";
        return std::nullopt;
    }
    return opts;
}

} // namespace rampart::hostile
