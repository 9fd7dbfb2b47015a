#include "util/event_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

namespace rampart {

EventLog::~EventLog()
{
    if (owns_fd_ && fd_ >= 0)
        close(fd_);
}

bool EventLog::open(const std::string &target)
{
    if (target == "-") {
        fd_ = STDOUT_FILENO;
        owns_fd_ = false;
        return true;
    }
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    fd_ = fd;
    owns_fd_ = true;
    return true;
}

std::string EventLog::json_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                out += buffer;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out;
}

void EventLog::emit(std::string_view name, std::initializer_list<Field> fields)
{
    if (!active())
        return;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
    std::string line = "{\"event\":\"" + json_escape(name) + "\",\"t_ms\":" + std::to_string(ms);
    for (const auto &field : fields) {
        line += ",\"" + json_escape(field.key) + "\":";
        if (auto *number = std::get_if<int64_t>(&field.value))
            line += std::to_string(*number);
        else if (auto *text = std::get_if<std::string>(&field.value))
            line += "\"" + json_escape(*text) + "\"";
        else
            line += std::get<bool>(field.value) ? "true" : "false";
    }
    line += "}\n";
    if (observer)
        observer(line);
    if (fd_ < 0)
        return;
    // One write per line so concurrent readers never see half an event.
    size_t written = 0;
    while (written < line.size()) {
        ssize_t n = write(fd_, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        written += static_cast<size_t>(n);
    }
}

} // namespace rampart
