#include "control/control_protocol.hpp"

namespace rampart::control {

namespace {

bool printable(char c)
{
    return c >= 0x20 && c <= 0x7e;
}

} // namespace

std::optional<std::vector<std::string>> parse_request(std::string_view line, std::string *why)
{
    auto fail = [&](const char *text) -> std::optional<std::vector<std::string>> {
        if (why)
            *why = text;
        return std::nullopt;
    };
    // Checked as a whole first, so no word of a bad line ever reaches a handler.
    if (line.size() + 1 > max_line)
        return fail("request too long");
    for (char c : line) {
        if (!printable(c))
            return fail("malformed request (only printable ASCII is allowed)");
    }
    std::vector<std::string> words;
    size_t start = 0;
    while (start < line.size()) {
        size_t end = line.find(' ', start);
        if (end == std::string_view::npos)
            end = line.size();
        if (end > start)
            words.emplace_back(line.substr(start, end - start));
        start = end + 1;
    }
    if (words.empty())
        return fail("empty request");
    return words;
}

std::optional<std::string> format_request(const std::vector<std::string> &words)
{
    std::string line;
    for (const std::string &word : words) {
        if (!line.empty())
            line += ' ';
        line += word;
    }
    auto parsed = parse_request(line, nullptr);
    if (!parsed || *parsed != words)
        return std::nullopt;
    return line + '\n';
}

ReplyKind classify_reply(std::string_view reply)
{
    if (reply == "ok" || reply.substr(0, 3) == "ok ")
        return ReplyKind::ok;
    if (reply.substr(0, 7) == "error: ")
        return ReplyKind::error;
    return ReplyKind::malformed;
}

std::string sanitize_reply(std::string_view reply)
{
    std::string safe(reply.substr(0, max_reply));
    for (char &c : safe) {
        if (!printable(c))
            c = '?';
    }
    if (classify_reply(safe) == ReplyKind::malformed)
        return "error: internal error";
    return safe;
}

std::string default_control_path(const std::string &runtime_dir, const std::string &wayland_display)
{
    std::string display = wayland_display.substr(wayland_display.rfind('/') + 1);
    if (display.empty())
        display = "wayland-0";
    return runtime_dir + "/rampart/" + display + ".control";
}

} // namespace rampart::control
