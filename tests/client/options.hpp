// Command line of rampart-test-client, plus the small value parsers that stdin commands
// share with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::test_client {

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

// 0xAARRGGBB, not premultiplied.
using Color = uint32_t;

enum class Animate { none, full, region };
enum class DecorationMode { server, client, none };

struct Options {
    std::optional<std::string> display;
    std::string title = "rampart-test-client";
    std::string app_id = "rampart-test-client";
    Size size{400, 300};
    Color color = 0xff3366cc;
    bool alpha = false;
    bool pattern = false;
    int windows = 1;
    Animate animate = Animate::none;
    std::optional<uint64_t> frames;
    std::optional<double> duration;
    bool fullscreen = false;
    bool maximized = false;
    std::optional<Size> request_size;
    bool protocol_error = false;
    std::optional<Rect> popup;
    Color popup_color = 0xffff00ff;
    std::optional<Rect> subsurface;
    Color subsurface_color = 0xff00ff00;
    DecorationMode decoration = DecorationMode::server;
    bool log = false;
    bool read_stdin = false;
};

// Buffers above this are refused rather than allocated (--request-size, resize).
constexpr uint64_t max_buffer_bytes = uint64_t{1} << 30;

// On failure `error` says why. `--help` prints usage and exits 0 from inside.
std::optional<Options> parse_options(int argc, char **argv, std::string &error);

std::optional<Size> parse_size(std::string_view text);   // "WxH", both > 0
std::optional<Rect> parse_rect(std::string_view text);   // "X,Y,WxH"
std::optional<Color> parse_color(std::string_view text); // "RRGGBB" or "AARRGGBB"
std::optional<int64_t> parse_int(std::string_view text);
// Empty when the size fits the 1 GiB limit, else a message for the user.
std::string check_buffer_size(Size size);

} // namespace rampart::test_client
