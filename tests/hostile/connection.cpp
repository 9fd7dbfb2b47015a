#include "connection.hpp"

#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace rampart::hostile {

namespace {

int signal_fd = -1;
std::optional<int> caught_signal;
std::string wayland_log;
uint64_t wayland_logs = 0;

// libwayland-client reports a protocol error's text only through its log.
void capture_wayland_log(const char *format, va_list args)
{
    char text[1024];
    std::vsnprintf(text, sizeof text, format, args);
    wayland_log = text;
    while (!wayland_log.empty() && wayland_log.back() == '\n')
        wayland_log.pop_back();
    ++wayland_logs; // reported in the JSON lines; stderr stays quiet for --bind-by-number
}

void drain_signal_fd()
{
    signalfd_siginfo info{};
    while (read(signal_fd, &info, sizeof info) == ssize_t(sizeof info))
        if (!caught_signal)
            caught_signal = int(info.ssi_signo);
}

void handle_sync_done(void *data, wl_callback *, uint32_t)
{
    *static_cast<bool *>(data) = true;
}

} // namespace

bool install_signal_handling()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
        return false;
    signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    return signal_fd >= 0;
}

std::optional<int> received_signal()
{
    if (signal_fd >= 0)
        drain_signal_fd();
    return caught_signal;
}

const std::string &last_wayland_log()
{
    return wayland_log;
}

uint64_t wayland_log_count()
{
    return wayland_logs;
}

Connection::~Connection()
{
    registry_.reset();
    display_.reset();
}

bool Connection::open(const std::optional<std::string> &display_name, std::string &error)
{
    wl_log_set_handler_client(&capture_wayland_log);
    log_count_at_open_ = wayland_logs;
    display_.reset(wl_display_connect(display_name ? display_name->c_str() : nullptr));
    if (!display_) {
        error = "cannot connect to " +
                (display_name ? "'" + *display_name + "'" : std::string("$WAYLAND_DISPLAY")) +
                ": " + std::strerror(errno);
        return false;
    }
    static const wl_registry_listener listener = {
        .global = &Connection::handle_global,
        .global_remove = &Connection::handle_global_remove,
    };
    registry_.reset(wl_display_get_registry(display_.get()));
    wl_registry_add_listener(registry_.get(), &listener, this);
    if (!roundtrip()) {
        error =
            "no registry reply: " + (!alive()            ? death_summary()
                                     : received_signal() ? std::string("interrupted by a signal")
                                                         : std::string("timed out"));
        return false;
    }
    return true;
}

void Connection::handle_global(void *data, wl_registry *, uint32_t name, const char *interface,
                               uint32_t version)
{
    static_cast<Connection *>(data)->globals_.push_back({name, interface, version});
}

void Connection::handle_global_remove(void *data, wl_registry *, uint32_t name)
{
    std::erase_if(static_cast<Connection *>(data)->globals_,
                  [name](const Global &global) { return global.name == name; });
}

const Global *Connection::find(std::string_view interface) const
{
    for (const Global &global : globals_)
        if (global.interface == interface)
            return &global;
    return nullptr;
}

const Global *Connection::find(uint32_t name) const
{
    for (const Global &global : globals_)
        if (global.name == name)
            return &global;
    return nullptr;
}

bool Connection::roundtrip()
{
    if (dead_)
        return false;
    static const wl_callback_listener listener = {.done = &handle_sync_done};
    bool done = false;
    forgotten_ptr<wl_callback> callback(wl_display_sync(display()));
    wl_callback_add_listener(callback.get(), &listener, &done);
    return wait([&] { return done; }, timeout_) == WaitResult::done;
}

WaitResult Connection::die()
{
    if (!dead_) {
        dead_ = true;
        if (wayland_logs > log_count_at_open_)
            death_log_ = wayland_log;
    }
    return WaitResult::disconnected;
}

WaitResult Connection::wait(const std::function<bool()> &done,
                            std::optional<std::chrono::milliseconds> timeout)
{
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> deadline;
    if (timeout)
        deadline = Clock::now() + *timeout;
    wl_display *d = display();
    for (;;) {
        if (dead_ || wl_display_dispatch_pending(d) < 0)
            return die();
        if (done && done())
            return WaitResult::done;
        if (received_signal())
            return WaitResult::signalled;
        if (wl_display_prepare_read(d) != 0)
            continue; // events already queued: dispatch them first
        int flushed = wl_display_flush(d);
        if (flushed < 0 && errno != EAGAIN && errno != EPIPE) {
            wl_display_cancel_read(d);
            return die();
        }
        int timeout_ms = -1;
        if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
            if (left.count() <= 0) {
                wl_display_cancel_read(d);
                return WaitResult::timed_out;
            }
            timeout_ms = int(std::min<int64_t>(left.count(), 1 << 30));
        }
        pollfd fds[2] = {
            {wl_display_get_fd(d), short(POLLIN | (flushed < 0 ? POLLOUT : 0)), 0},
            {signal_fd, POLLIN, 0},
        };
        int ready = poll(fds, signal_fd >= 0 ? 2 : 1, timeout_ms);
        if (ready < 0) {
            wl_display_cancel_read(d);
            if (errno != EINTR)
                return die();
            continue;
        }
        // After an EPIPE on flush the error event is still read here, before the EOF.
        if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
            if (wl_display_read_events(d) < 0)
                return die();
        } else {
            wl_display_cancel_read(d);
        }
    }
}

bool Connection::closed_by_compositor() const
{
    int err = display_ ? wl_display_get_error(display_.get()) : 0;
    return dead_ && (err == EPROTO || err == EPIPE || err == ECONNRESET);
}

void Connection::describe_death(Json &line) const
{
    int err = display_ ? wl_display_get_error(display_.get()) : 0;
    line.str("error", err ? std::strerror(err) : "connection closed");
    if (err != EPROTO) {
        line.null("protocol_error");
        if (!death_log_.empty())
            line.str("message", death_log_);
        return;
    }
    const wl_interface *interface = nullptr;
    uint32_t object_id = 0;
    uint32_t code = wl_display_get_protocol_error(display_.get(), &interface, &object_id);
    Json error = Json::object();
    error.str("interface", interface ? interface->name : "unknown")
        .num("code", code)
        .num("object_id", object_id)
        .str("message", death_log_);
    line.raw("protocol_error", error.text());
}

std::string Connection::death_summary() const
{
    int err = display_ ? wl_display_get_error(display_.get()) : 0;
    if (err == EPROTO && !death_log_.empty())
        return "protocol error: " + death_log_;
    std::string text = err ? std::strerror(err) : "connection closed";
    if (!death_log_.empty())
        text += " (" + death_log_ + ")";
    return text;
}

void Connection::report_disconnect()
{
    if (reported_)
        return;
    reported_ = true;
    Json line = Json::event("disconnected");
    describe_death(line);
    line.print();
}

} // namespace rampart::hostile
