#include "util/log.hpp"

#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <vector>

namespace rampart::log {
namespace {

Level current_level = Level::info;
bool use_journal = false;

int syslog_priority(Level level)
{
    switch (level) {
    case Level::error: return LOG_ERR;
    case Level::warning: return LOG_WARNING;
    case Level::info: return LOG_INFO;
    case Level::debug: return LOG_DEBUG;
    }
    return LOG_INFO;
}

const char *level_name(Level level)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    return names[static_cast<int>(level)];
}

void write_stderr(Level level, std::string_view text, const char *message_id)
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::fprintf(stderr, "[%5ld.%03ld] rampart %s: %.*s%s%s\n", static_cast<long>(now.tv_sec),
                 now.tv_nsec / 1000000, level_name(level), static_cast<int>(text.size()),
                 text.data(), message_id ? " MESSAGE_ID=" : "", message_id ? message_id : "");
}

void send_journal(Level level, std::string_view text, const char *message_id,
                  std::initializer_list<std::string> fields)
{
    std::vector<std::string> items;
    items.push_back("MESSAGE=" + std::string(text));
    items.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
    items.push_back("SYSLOG_IDENTIFIER=rampart");
    if (message_id)
        items.push_back(std::string("MESSAGE_ID=") + message_id);
    for (const auto &field : fields)
        items.push_back(field);
    std::vector<iovec> vectors;
    for (auto &item : items)
        vectors.push_back({item.data(), item.size()});
    if (sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())) < 0)
        write_stderr(level, text, message_id);
}

void vlog(Level level, const char *format, va_list args)
{
    if (!enabled(level))
        return;
    message(level, vformat(format, args));
}

} // namespace

void init(Level level, Sink sink)
{
    current_level = level;
    switch (sink) {
    case Sink::automatic: use_journal = access("/run/systemd/journal/socket", W_OK) == 0; break;
    case Sink::journal: use_journal = true; break;
    case Sink::stderr_only: use_journal = false; break;
    }
}

void set_level(Level level)
{
    current_level = level;
}
Level level()
{
    return current_level;
}
bool enabled(Level level)
{
    return static_cast<int>(level) <= static_cast<int>(current_level);
}

std::string vformat(const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int length = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (length <= 0)
        return {};
    std::string text(static_cast<size_t>(length) + 1, '\0');
    std::vsnprintf(text.data(), text.size(), format, args);
    text.resize(static_cast<size_t>(length));
    return text;
}

void message(Level level, std::string_view text)
{
    if (!enabled(level))
        return;
    if (use_journal)
        send_journal(level, text, nullptr, {});
    else
        write_stderr(level, text, nullptr);
}

void security_event(Level level, const char *message_id, std::string_view text,
                    std::initializer_list<std::string> fields)
{
    // Security events are never filtered by the verbosity level.
    if (use_journal)
        send_journal(level, text, message_id, fields);
    else
        write_stderr(level, text, message_id);
}

#define RAMPART_DEFINE_LOG(name, lvl)                                                              \
    void name(const char *format, ...)                                                             \
    {                                                                                              \
        va_list args;                                                                              \
        va_start(args, format);                                                                    \
        vlog(lvl, format, args);                                                                   \
        va_end(args);                                                                              \
    }
RAMPART_DEFINE_LOG(error, Level::error)
RAMPART_DEFINE_LOG(warning, Level::warning)
RAMPART_DEFINE_LOG(info, Level::info)
RAMPART_DEFINE_LOG(debug, Level::debug)
#undef RAMPART_DEFINE_LOG

} // namespace rampart::log
