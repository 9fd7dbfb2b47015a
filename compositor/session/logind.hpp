// The lock screen's client of systemd-logind (org.freedesktop.login1) over sd-bus, driven by
// the compositor's wl_event_loop. No wlroots here, so it is unit-tested against a fake logind
// on a private dbus-daemon (tests/session).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

struct sd_bus_message;
struct sd_bus_slot;
struct wl_event_loop;

namespace rampart::session {

class BusConnection;

// Called from the event loop. A callback must not destroy the Logind that calls it.
struct LogindCallbacks {
    std::function<void()> lock;                                 // Session.Lock for our session
    std::function<void()> unlock;                               // Session.Unlock for our session
    std::function<void(bool going_to_sleep)> prepare_for_sleep; // Manager.PrepareForSleep
};

struct LogindOptions {
    std::string bus_address; // empty: the system bus; else a D-Bus address (tests)
    std::string session_id;  // empty: $XDG_SESSION_ID, else GetSessionByPID(getpid())
};

class Logind {
    struct Private {};

public:
    // nullptr (and a log line saying why) when the bus, logind or our session cannot be
    // reached. Blocks for at most about one second (the only synchronous calls).
    static std::unique_ptr<Logind> connect(wl_event_loop *loop, const LogindOptions &options,
                                           LogindCallbacks callbacks);
    Logind(Private, wl_event_loop *loop, LogindCallbacks callbacks);
    ~Logind();
    Logind(const Logind &) = delete;
    Logind &operator=(const Logind &) = delete;

    // Session.SetLockedHint; asynchronous, errors are logged.
    void set_locked_hint(bool locked);
    // Asks for a "sleep" delay inhibitor (asynchronous). True when one is held or requested;
    // holds_sleep_delay() turns true once logind's reply hands over the fd.
    bool take_sleep_delay();
    // Closes the inhibitor fd, or abandons a pending request (its reply is then dropped and
    // the fd in it closed). No-op without either.
    void release_sleep_delay();
    bool holds_sleep_delay() const { return sleep_fd_.fd >= 0; }
    bool sleep_delay_pending() const { return inhibit_call_ != nullptr; }

    const std::string &session_path() const { return session_path_; }
    // False once the bus connection is lost (logged; no reconnect).
    bool connected() const;
    // The session's LockedHint as logind reported it at connect (nullopt: unknown).
    std::optional<bool> locked_hint_at_start() const { return locked_hint_at_start_; }
    // Our unique bus name, e.g. ":1.42" (for logs and tests).
    const std::string &unique_name() const;

private:
    struct SlotDeleter {
        void operator()(sd_bus_slot *slot) const;
    };
    using Slot = std::unique_ptr<sd_bus_slot, SlotDeleter>;
    struct Fd {
        int fd = -1;
        Fd() = default;
        Fd(const Fd &) = delete;
        Fd &operator=(const Fd &) = delete;
        ~Fd() { reset(); }
        void reset(int next = -1);
    };
    // The sd-bus callbacks (in logind.cpp, where sd-bus.h is included).
    struct Handlers;

    bool start(const LogindOptions &options);
    bool watch_owner(uint64_t deadline);
    bool resolve_session(const std::string &session_id, uint64_t deadline);
    bool add_matches();
    bool from_logind(sd_bus_message *message, const char *what);
    void note_forgery(const char *sender, const char *what);

    // Members go down in reverse: the slots before the bus (they hold references to it
    // anyway), the bus (and its event sources) before the callbacks it calls.
    wl_event_loop *loop_;
    LogindCallbacks callbacks_;
    std::unique_ptr<BusConnection> bus_;
    std::string session_path_;
    std::optional<bool> locked_hint_at_start_;
    std::string owner_;     // logind's current unique name; signals from anyone else are dropped
    unsigned rejected_ = 0; // forged signals seen, to rate-limit their log lines
    Slot owner_match_, lock_match_, unlock_match_, sleep_match_;
    Slot inhibit_call_;
    Fd sleep_fd_;
};

} // namespace rampart::session
