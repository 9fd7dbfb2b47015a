// An sd-bus client connection driven by a wl_event_loop: nothing blocks once it is attached,
// and opening it waits for the bus only up to a deadline. Used by the logind client.
#pragma once

#include <systemd/sd-bus.h>

#include <cstdint>
#include <memory>
#include <string>

struct wl_event_loop;
struct wl_event_source;

namespace rampart::session {

uint64_t monotonic_usec(); // CLOCK_MONOTONIC, as sd-bus counts its timeouts

struct BusMessageDeleter {
    void operator()(sd_bus_message *message) const { sd_bus_message_unref(message); }
};
using BusMessage = std::unique_ptr<sd_bus_message, BusMessageDeleter>;

struct BusSlotDeleter {
    void operator()(sd_bus_slot *slot) const { sd_bus_slot_unref(slot); }
};
using BusSlot = std::unique_ptr<sd_bus_slot, BusSlotDeleter>;

struct BusError {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    BusError() = default;
    BusError(const BusError &) = delete;
    BusError &operator=(const BusError &) = delete;
    ~BusError() { sd_bus_error_free(&error); }
    const char *text() const { return error.message ? error.message : error.name; }
};

// The error of a method-error reply, as text.
const char *reply_error_text(sd_bus_message *reply);

class BusConnection {
    struct Private {};

public:
    // `address` empty: the system bus. Waits for the bus's Hello reply until `deadline`
    // (monotonic µs). nullptr, with a log line tagged `tag`, on failure.
    static std::unique_ptr<BusConnection> open(const std::string &address, uint64_t deadline,
                                               const char *tag);
    BusConnection(Private, const char *tag);
    ~BusConnection();
    BusConnection(const BusConnection &) = delete;
    BusConnection &operator=(const BusConnection &) = delete;

    sd_bus *get() const { return bus_.get(); }
    const std::string &unique_name() const { return unique_name_; }
    // Dispatches the bus from `loop` from now on.
    bool attach(wl_event_loop *loop);
    // After sending outside a callback: waits for POLLOUT if the message is still queued,
    // and re-arms the timer for sd-bus's next timeout.
    void rearm();
    // False once the connection is lost (logged once; no reconnect).
    bool connected() const { return attached_; }

private:
    struct BusDeleter {
        void operator()(sd_bus *bus) const;
    };
    struct SourceDeleter {
        void operator()(wl_event_source *source) const;
    };
    static int on_event(int fd, uint32_t mask, void *data);
    static int on_timer(void *data);
    void dispatch();
    void lose(const char *why);

    const char *tag_;
    std::unique_ptr<sd_bus, BusDeleter> bus_;
    std::string unique_name_;
    bool attached_ = false;
    std::unique_ptr<wl_event_source, SourceDeleter> fd_source_, timer_source_;
};

} // namespace rampart::session
