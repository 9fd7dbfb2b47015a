#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace rampart::test_client {

namespace {

constexpr const char *usage_text = R"(usage: rampart-test-client [options]
  --display NAME|PATH        compositor socket (default: $WAYLAND_DISPLAY)
  --title T, --app-id A      toplevel title / app id
  --size WxH                 size until the compositor configures one (default 400x300)
  --color [AA]RRGGBB         fill colour (default 3366cc)
  --alpha                    ARGB8888 buffers, no opaque region
  --pattern                  1-px border of another colour at the buffer edges
  --windows N                N toplevels, titles suffixed " 1".." N"
  --animate none|full|region animate the last window, driven by frame callbacks
  --frames N                 with --animate: exit 0 after N frame callbacks
  --duration S               exit 0 after S seconds
  --fullscreen, --maximized  request the state before the first commit
  --request-size WxH         last window: after mapping, commit a buffer of this size
  --protocol-error           last window: after mapping, commit a protocol violation
  --popup X,Y,WxH            last window: xdg_popup anchored at X,Y of the window geometry
  --popup-color [AA]RRGGBB   (default ff00ff)
  --subsurface X,Y,WxH       last window: desync wl_subsurface at X,Y
  --subsurface-color [AA]RRGGBB (default 00ff00)
  --decoration server|client|none  xdg-decoration mode to request (default server)
  --log                      JSON event lines on stdout
  --stdin                    read commands from stdin, one per line:
      title I TEXT | fullscreen I | unfullscreen I | maximize I | unmaximize I
      color I RRGGBB | resize I WxH | close I | activate-token [I] |
      activate-token-without-serial [I] | activate I TOKEN
      sync [TAG] | quit                      (windows are numbered from 1)
Exit codes: 0 done, 1 runtime failure, 2 bad usage, 3 protocol error / connection lost.
)";

std::optional<std::string_view> split_at(std::string_view text, char sep, std::string_view &rest)
{
    auto pos = text.find(sep);
    if (pos == std::string_view::npos)
        return std::nullopt;
    rest = text.substr(pos + 1);
    return text.substr(0, pos);
}

} // namespace

std::optional<int64_t> parse_int(std::string_view text)
{
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
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
    // Upper bound keeps stride and byte counts comfortably inside int32/uint64 maths.
    if (!width || !height || *width <= 0 || *height <= 0 || *width > 1 << 20 || *height > 1 << 20)
        return std::nullopt;
    return Size{static_cast<int32_t>(*width), static_cast<int32_t>(*height)};
}

std::optional<Rect> parse_rect(std::string_view text)
{
    std::string_view after_x, after_y;
    auto x_text = split_at(text, ',', after_x);
    if (!x_text)
        return std::nullopt;
    auto y_text = split_at(after_x, ',', after_y);
    if (!y_text)
        return std::nullopt;
    auto x = parse_int(*x_text);
    auto y = parse_int(*y_text);
    auto size = parse_size(after_y);
    if (!x || !y || !size || *x < INT32_MIN || *x > INT32_MAX || *y < INT32_MIN || *y > INT32_MAX)
        return std::nullopt;
    return Rect{static_cast<int32_t>(*x), static_cast<int32_t>(*y), size->width, size->height};
}

std::optional<Color> parse_color(std::string_view text)
{
    if (text.starts_with('#'))
        text.remove_prefix(1);
    if (text.size() != 6 && text.size() != 8)
        return std::nullopt;
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return text.size() == 6 ? (0xff000000u | value) : value;
}

std::string check_buffer_size(Size size)
{
    uint64_t bytes = uint64_t(size.width) * uint64_t(size.height) * 4;
    if (bytes <= max_buffer_bytes)
        return {};
    return "refusing to allocate a " + std::to_string(size.width) + "x" +
           std::to_string(size.height) + " buffer (" + std::to_string(bytes >> 20) +
           " MiB > 1 GiB)";
}

std::optional<Options> parse_options(int argc, char **argv, std::string &error)
{
    Options opts;
    // Each handler gets the option's value (empty for flags) and returns false if invalid.
    using Handler = std::function<bool(std::string_view)>;
    struct Spec {
        bool takes_value;
        Handler handle;
    };
    // Spec makers: each binds a parser to the Options field it fills.
    auto flag = [](bool &target) {
        return Spec{false, [&target](std::string_view) { return target = true; }};
    };
    auto text = [](std::string &target) {
        return Spec{true, [&target](std::string_view v) {
                        target = v;
                        return true;
                    }};
    };
    auto parsed = [](auto &target, auto parse) {
        return Spec{true, [&target, parse](std::string_view v) {
                        auto value = parse(v);
                        if (value)
                            target = *value;
                        return bool(value);
                    }};
    };
    auto positive = [](std::string_view v) -> std::optional<int64_t> {
        auto n = parse_int(v);
        return n && *n > 0 ? n : std::nullopt;
    };
    auto choice = []<typename E>(E &target,
                                 std::initializer_list<std::pair<std::string_view, E>> names) {
        std::vector<std::pair<std::string_view, E>> table(names);
        return Spec{true, [&target, table](std::string_view v) {
                        for (const auto &[name, value] : table) {
                            if (v == name) {
                                target = value;
                                return true;
                            }
                        }
                        return false;
                    }};
    };
    auto seconds = [](std::string_view v) -> std::optional<double> {
        std::string copy(v);
        char *end = nullptr;
        double value = std::strtod(copy.c_str(), &end);
        if (copy.empty() || *end || !(value >= 0) || value > 1e7)
            return std::nullopt;
        return value;
    };
    auto windows = [&](std::string_view v) -> std::optional<int> {
        auto n = positive(v);
        return n && *n <= 256 ? std::optional<int>(int(*n)) : std::nullopt;
    };
    auto display = [](std::string_view v) {
        return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };

    const std::map<std::string_view, Spec> specs{
        {"--display", parsed(opts.display, display)},
        {"--title", text(opts.title)},
        {"--app-id", text(opts.app_id)},
        {"--size", parsed(opts.size, parse_size)},
        {"--color", parsed(opts.color, parse_color)},
        {"--alpha", flag(opts.alpha)},
        {"--pattern", flag(opts.pattern)},
        {"--windows", parsed(opts.windows, windows)},
        {"--animate",
         choice(opts.animate,
                {{"none", Animate::none}, {"full", Animate::full}, {"region", Animate::region}})},
        {"--frames", parsed(opts.frames, positive)},
        {"--duration", parsed(opts.duration, seconds)},
        {"--fullscreen", flag(opts.fullscreen)},
        {"--maximized", flag(opts.maximized)},
        {"--request-size", parsed(opts.request_size, parse_size)},
        {"--protocol-error", flag(opts.protocol_error)},
        {"--popup", parsed(opts.popup, parse_rect)},
        {"--popup-color", parsed(opts.popup_color, parse_color)},
        {"--subsurface", parsed(opts.subsurface, parse_rect)},
        {"--subsurface-color", parsed(opts.subsurface_color, parse_color)},
        {"--decoration", choice(opts.decoration, {{"server", DecorationMode::server},
                                                  {"client", DecorationMode::client},
                                                  {"none", DecorationMode::none}})},
        {"--log", flag(opts.log)},
        {"--stdin", flag(opts.read_stdin)},
    };

    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        }
        std::string_view value;
        bool inline_value = false;
        if (auto eq = arg.find('='); eq != std::string_view::npos) { // --opt=value form
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            inline_value = true;
        }
        auto spec = specs.find(arg);
        if (spec == specs.end()) {
            error = "unknown option '" + std::string(arg) + "'";
            return std::nullopt;
        }
        if (spec->second.takes_value && !inline_value) {
            if (i + 1 >= argc) {
                error = "option " + std::string(arg) + " needs a value";
                return std::nullopt;
            }
            value = argv[++i];
        } else if (!spec->second.takes_value && inline_value) {
            error = "option " + std::string(arg) + " takes no value";
            return std::nullopt;
        }
        if (!spec->second.handle(value)) {
            error = "invalid value '" + std::string(value) + "' for " + std::string(arg);
            return std::nullopt;
        }
    }

    if (opts.frames && opts.animate == Animate::none) {
        error = "--frames needs --animate full|region";
        return std::nullopt;
    }
    for (Size size : {opts.size, opts.request_size.value_or(Size{1, 1})}) {
        if (auto message = check_buffer_size(size); !message.empty()) {
            error = message;
            return std::nullopt;
        }
    }
    return opts;
}

} // namespace rampart::test_client
