// Routes wlroots' own log lines into Rampart's log (journal or stderr).
#include "util/log.hpp"
#include "wlr.hpp"

namespace rampart {

namespace {
void forward(wlr_log_importance importance, const char *format, va_list args)
{
    log::Level level = importance == WLR_ERROR  ? log::Level::error
                       : importance == WLR_INFO ? log::Level::info
                                                : log::Level::debug;
    if (!log::enabled(level))
        return;
    log::message(level, "wlroots: " + log::vformat(format, args));
}
} // namespace

void route_wlroots_log(log::Level level)
{
    wlr_log_importance importance = level >= log::Level::debug  ? WLR_DEBUG
                                    : level >= log::Level::info ? WLR_INFO
                                                                : WLR_ERROR;
    wlr_log_init(importance, forward);
}

} // namespace rampart
