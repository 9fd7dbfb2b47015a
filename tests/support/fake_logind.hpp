// Test doubles for the logind client: a private dbus-daemon, and a fake systemd-logind that
// owns org.freedesktop.login1 on it and serves, from its own thread, just what Rampart uses.
#pragma once

#include "support/process.hpp"

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rampart::test {

struct BusDeleter {
    void operator()(sd_bus *bus) const;
};
using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
struct BusSlotDeleter {
    void operator()(sd_bus_slot *slot) const;
};
using BusSlotPtr = std::unique_ptr<sd_bus_slot, BusSlotDeleter>;

// A connected, Hello'd client of the bus at `address`; throws on failure.
BusPtr open_bus(const std::string &address);

// A dbus-daemon of our own with a temporary config: no service activation, anyone may own
// any name and send anything (so tests can play a hostile client).
class PrivateBus {
public:
    PrivateBus();
    ~PrivateBus();
    PrivateBus(const PrivateBus &) = delete;
    PrivateBus &operator=(const PrivateBus &) = delete;
    const std::string &address() const { return address_; }
    void kill(); // every connection drops

private:
    std::string dir_, address_;
    std::unique_ptr<ClientProcess> daemon_;
};

class FakeLogind {
public:
    static constexpr const char *own_session = "c1";
    static constexpr const char *own_path = "/org/freedesktop/login1/session/c1";
    static constexpr const char *other_session = "c2";
    static constexpr const char *other_path = "/org/freedesktop/login1/session/c2";

    struct State {
        std::vector<std::pair<std::string, bool>> locked_hints; // (session id, value)
        std::vector<std::string> inhibits;                      // "what|who|why|mode"
        int inhibitors_taken = 0;
        int inhibitors_released = 0; // the client closed its end of the inhibitor fd
        std::string last_caller;     // unique name of the last method caller
    };

    // Owns org.freedesktop.login1 when this returns. Session c1's leader is getpid().
    explicit FakeLogind(const std::string &address);
    ~FakeLogind();
    FakeLogind(const FakeLogind &) = delete;
    FakeLogind &operator=(const FakeLogind &) = delete;

    State state() const;
    const std::string &unique_name() const { return unique_name_; }
    void set_inhibit_denied(bool denied) { inhibit_denied_ = denied; }

    // Each returns once the bus has routed the message (a round trip follows it).
    void emit_lock(const std::string &path);
    void emit_unlock(const std::string &path);
    void emit_prepare_for_sleep(bool going_to_sleep);
    void release_name(); // logind "stops": the name goes, the connection stays
    // The session's LockedHint property as logind would report it (as if a previous run of
    // the compositor had set it).
    void set_locked_hint(bool locked);

private:
    struct Session {
        FakeLogind *fake;
        std::string id, path;
    };

    void run();
    void call(std::function<void(sd_bus *)> command); // on the fake's thread, waits for it
    static int on_get_session(sd_bus_message *, void *, sd_bus_error *);
    static int on_get_session_by_pid(sd_bus_message *, void *, sd_bus_error *);
    static int on_inhibit(sd_bus_message *, void *, sd_bus_error *);
    static int on_set_locked_hint(sd_bus_message *, void *, sd_bus_error *);
    static int on_get_locked_hint(sd_bus *, const char *, const char *, const char *,
                                  sd_bus_message *, void *, sd_bus_error *);
    void note_caller(sd_bus_message *message);

    BusPtr bus_;
    std::string unique_name_;
    std::vector<std::unique_ptr<Session>> sessions_;
    std::vector<BusSlotPtr> objects_;
    std::atomic<bool> inhibit_denied_{false};
    int wake_fd_ = -1;

    mutable std::mutex mutex_; // guards everything below
    State state_;
    bool locked_hint_ = false; // own session's LockedHint property
    std::vector<std::function<void(sd_bus *)>> commands_;
    std::vector<int> inhibitor_fds_; // our read ends; POLLHUP when the client lets go
    bool stopping_ = false;

    std::thread thread_; // last: started once everything above exists
};

} // namespace rampart::test
