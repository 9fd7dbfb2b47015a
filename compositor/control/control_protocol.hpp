// The control socket's wire format, shared by the server and rampartctl. No I/O here.
//
// A request is one line: words of printable ASCII (no space), separated by spaces, ended by
// '\n'. A reply is one line: "ok" or "ok <text>", or "error: <why>".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::control {

// A request line, its '\n' included, is at most this long; a longer one ends the connection.
inline constexpr size_t max_line = 512;
// A reply line (without its '\n') is cut to this length.
inline constexpr size_t max_reply = 4096;

// The words of one request line (given without its '\n'). nullopt, with `why` set, for
// anything but printable ASCII words separated by spaces, or a line without words.
std::optional<std::vector<std::string>> parse_request(std::string_view line, std::string *why);

// The request line for `words`, '\n' included; nullopt when parse_request() would not give
// back exactly these words, or the line would be too long.
std::optional<std::string> format_request(const std::vector<std::string> &words);

enum class ReplyKind { ok, error, malformed };
ReplyKind classify_reply(std::string_view reply);

// A handler's reply made safe to send: one line of printable ASCII, at most max_reply
// bytes, and "error: internal error" when it is neither an ok nor an error reply.
std::string sanitize_reply(std::string_view reply);

// runtime_dir + "/rampart/" + display + ".control". An absolute display (libwayland allows
// WAYLAND_DISPLAY=/path) contributes only its last component; an empty one is "wayland-0".
std::string default_control_path(const std::string &runtime_dir,
                                 const std::string &wayland_display);

} // namespace rampart::control
