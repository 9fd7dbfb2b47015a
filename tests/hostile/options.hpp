// Command line of rampart-hostile-client: one attack per run, plus the shared knobs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::hostile {

struct Size {
    int32_t width = 0;
    int32_t height = 0;
    bool operator==(const Size &) const = default;
};

struct Rect {
    int32_t x = 0;
    int32_t y = 0;
    int32_t width = 0;
    int32_t height = 0;
};

// 0xAARRGGBB; always opaque here (XRGB8888 buffers).
using Color = uint32_t;

enum class Attack {
    list_globals,
    list_privileged,
    bind_by_name,
    bind_by_number,
    many_windows,
    huge_title,
    evil_title,
    fake_frame,
    subsurface_over,
    popup_escape,
    output_sized,
    keylogger,
};

struct Options {
    Attack attack = Attack::list_globals;
    std::string attack_name; // the flag without dashes, for the result line
    std::optional<std::string> display;

    std::string interface;     // --bind-by-name / --bind-by-number
    uint32_t max_number = 256; // --bind-by-number: names 1..max_number
    int window_count = 0;      // --many-windows
    uint64_t title_bytes = 0;  // --huge-title
    std::string evil_kind;     // --evil-title
    Color frame_color = 0;     // --fake-frame
    Rect rect;                 // --subsurface-over / --popup-escape

    Size size{400, 300};
    Color color = 0xff3366cc;
    Color sub_color = 0xffff00ff;
    double timeout_seconds = 5;  // waiting for configures and probe events
    bool exit_after_map = false; // keep-running modes: stop once mapped
    bool hold = false;           // --many-windows: keep running after the report
    int cursor_size = 0;         // --keylogger: set an NxN cursor surface on pointer enter
    int cursor_grow = 0;         // ... and then grow it to NxN (0: no)
};

// Bad usage: nullopt with `error` set. `--help` prints usage and exits 0 from inside.
std::optional<Options> parse_options(int argc, char **argv, std::string &error);

std::optional<Size> parse_size(std::string_view text);   // "WxH", both > 0
std::optional<Rect> parse_rect(std::string_view text);   // "X,Y,WxH", X and Y may be < 0
std::optional<Color> parse_color(std::string_view text); // "RRGGBB"
std::optional<int64_t> parse_int(std::string_view text);

// The evil titles --evil-title knows, and the bytes of one (nullopt for an unknown kind).
const char *evil_title_kinds();
std::optional<std::string> evil_title(std::string_view kind);

} // namespace rampart::hostile
