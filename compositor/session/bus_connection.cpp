#include "session/bus_connection.hpp"

#include "util/log.hpp"

#include <poll.h>
#include <wayland-server-core.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

namespace rampart::session {
namespace {

// A flood of messages must not starve the compositor; the rest waits for the next turn.
constexpr int max_messages_per_dispatch = 256;

} // namespace

uint64_t monotonic_usec()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

const char *reply_error_text(sd_bus_message *reply)
{
    const sd_bus_error *error = sd_bus_message_get_error(reply);
    if (!error)
        return "unknown error";
    return error->message ? error->message : error->name;
}

void BusConnection::BusDeleter::operator()(sd_bus *bus) const
{
    // No flush: it could block the compositor on a stuck bus.
    sd_bus_close_unref(bus);
}

void BusConnection::SourceDeleter::operator()(wl_event_source *source) const
{
    wl_event_source_remove(source);
}

BusConnection::BusConnection(Private, const char *tag) : tag_(tag) {}

BusConnection::~BusConnection() = default;

std::unique_ptr<BusConnection> BusConnection::open(const std::string &address, uint64_t deadline,
                                                   const char *tag)
{
    auto connection = std::make_unique<BusConnection>(Private{}, tag);
    const char *where = address.empty() ? "the system bus" : address.c_str();
    sd_bus *raw = nullptr;
    int r;
    if (address.empty()) {
        r = sd_bus_open_system_with_description(&raw, tag);
        connection->bus_.reset(raw);
    } else {
        r = sd_bus_new(&raw);
        connection->bus_.reset(raw);
        if (r >= 0)
            r = sd_bus_set_description(raw, tag);
        if (r >= 0)
            r = sd_bus_set_address(raw, address.c_str());
        if (r >= 0)
            r = sd_bus_set_bus_client(raw, 1);
        if (r >= 0)
            r = sd_bus_start(raw);
    }
    // Wait for the Hello reply ourselves: sd-bus would wait up to its 90 s auth timeout.
    while (r >= 0 && (r = sd_bus_is_ready(raw)) == 0) {
        r = sd_bus_process(raw, nullptr);
        if (r > 0)
            continue;
        uint64_t now = monotonic_usec();
        if (r == 0 && now >= deadline)
            r = -ETIMEDOUT;
        if (r == 0 && !sd_bus_is_open(raw))
            r = -ENOTCONN;
        if (r == 0)
            r = sd_bus_wait(raw, deadline - now);
    }
    const char *unique = nullptr;
    if (r >= 0)
        r = sd_bus_get_unique_name(raw, &unique);
    if (r < 0) {
        log::error("%s: cannot connect to %s: %s", tag, where, strerror(-r));
        return nullptr;
    }
    connection->unique_name_ = unique;
    return connection;
}

bool BusConnection::attach(wl_event_loop *loop)
{
    fd_source_.reset(
        wl_event_loop_add_fd(loop, sd_bus_get_fd(bus_.get()), WL_EVENT_READABLE, on_event, this));
    timer_source_.reset(wl_event_loop_add_timer(loop, on_timer, this));
    if (!fd_source_ || !timer_source_) {
        log::error("%s: cannot add the bus to the event loop", tag_);
        fd_source_.reset();
        timer_source_.reset();
        return false;
    }
    attached_ = true;
    // Messages sd-bus queued during synchronous calls: the timer comes due at once for them.
    rearm();
    return true;
}

int BusConnection::on_event(int, uint32_t, void *data)
{
    static_cast<BusConnection *>(data)->dispatch();
    return 0;
}

int BusConnection::on_timer(void *data)
{
    static_cast<BusConnection *>(data)->dispatch();
    return 0;
}

void BusConnection::dispatch()
{
    if (!attached_)
        return;
    int r = 0;
    int handled = 0;
    while (handled < max_messages_per_dispatch && (r = sd_bus_process(bus_.get(), nullptr)) > 0)
        ++handled;
    if (r < 0) {
        lose(strerror(-r));
        return;
    }
    if (!sd_bus_is_open(bus_.get())) {
        lose("closed by the peer");
        return;
    }
    rearm();
    if (handled == max_messages_per_dispatch)
        wl_event_source_timer_update(timer_source_.get(), 1);
}

void BusConnection::rearm()
{
    if (!attached_)
        return;
    int events = sd_bus_get_events(bus_.get());
    if (events < 0) {
        lose(strerror(-events));
        return;
    }
    uint32_t mask = 0;
    if (events & POLLIN)
        mask |= WL_EVENT_READABLE;
    if (events & POLLOUT)
        mask |= WL_EVENT_WRITABLE; // unsent messages: write them when the socket has room
    wl_event_source_fd_update(fd_source_.get(), mask);

    uint64_t until = UINT64_MAX;
    int delay_ms = 0; // 0 disarms the timer
    if (sd_bus_get_timeout(bus_.get(), &until) > 0 && until != UINT64_MAX) {
        uint64_t now = monotonic_usec();
        uint64_t wait = until > now ? (until - now + 999) / 1000 : 0;
        delay_ms = static_cast<int>(std::clamp<uint64_t>(wait, 1, INT_MAX));
    }
    wl_event_source_timer_update(timer_source_.get(), delay_ms);
}

void BusConnection::lose(const char *why)
{
    attached_ = false;
    log::error("%s: lost the bus connection (%s)", tag_, why);
    // Removing a source from its own callback is fine: libwayland defers the free.
    fd_source_.reset();
    timer_source_.reset();
}

} // namespace rampart::session
