// Logging: to the journal when one is reachable, else stderr. No wlroots here; the glue
// routes wlroots' own log through log_message().
#pragma once

#include <cstdarg>
#include <string>
#include <string_view>

namespace rampart::log {

enum class Level { error = 0, warning = 1, info = 2, debug = 3 };

enum class Sink { automatic, journal, stderr_only };

// `automatic` picks the journal when /run/systemd/journal/socket exists.
void init(Level level, Sink sink = Sink::automatic);
void set_level(Level level);
Level level();
bool enabled(Level level);

void message(Level level, std::string_view text);
void error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *format, ...) __attribute__((format(printf, 1, 2)));
void info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *format, ...) __attribute__((format(printf, 1, 2)));

// A security-relevant event with a stable MESSAGE_ID (32 hex digits) so admins can filter
// with `journalctl MESSAGE_ID=...`. `fields` are extra "KEY=value" journal fields.
void security_event(Level level, const char *message_id, std::string_view text,
                    std::initializer_list<std::string> fields = {});

std::string vformat(const char *format, va_list args);

} // namespace rampart::log

namespace rampart {
// Sends wlroots' log into ours (util/wlr_log.cpp; the only log file that needs wlroots).
void route_wlroots_log(log::Level level);
} // namespace rampart
