// One Wayland connection: the registry's globals, dispatching with a timeout while watching
// for SIGTERM/SIGINT, and an exact account of how the connection died.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "wl_owners.hpp"

namespace rampart::hostile {

struct Global {
    uint32_t name = 0;
    std::string interface;
    uint32_t version = 0;
};

enum class WaitResult { done, timed_out, disconnected, signalled };

// Blocks SIGTERM/SIGINT and routes them to a descriptor the wait loop polls. Call first.
bool install_signal_handling();
// Which signal arrived, if any (sticky once seen).
std::optional<int> received_signal();

class Connection {
public:
    Connection() = default;
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // Connects and does one roundtrip so globals() is complete. False with `error` set when
    // the compositor cannot be reached (a setup failure, not a refusal).
    bool open(const std::optional<std::string> &display_name, std::string &error);

    wl_display *display() const { return display_.get(); }
    wl_registry *registry() const { return registry_.get(); }
    const std::vector<Global> &globals() const { return globals_; }
    const Global *find(std::string_view interface) const;
    const Global *find(uint32_t name) const;

    // Binds the first advertised `interface` at min(advertised, implemented); nullptr if
    // not advertised.
    template <typename T> T *bind(const wl_interface &interface, uint32_t implemented) const
    {
        const Global *global = find(interface.name);
        if (!global)
            return nullptr;
        uint32_t version = std::min(global->version, implemented);
        return static_cast<T *>(wl_registry_bind(registry(), global->name, &interface, version));
    }

    // How long roundtrip() waits for the compositor's reply.
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
    // True when the reply came back; false if the connection died, a signal arrived or
    // the compositor did not answer within the timeout (check alive()).
    bool roundtrip();
    // Dispatches until `done` returns true, the timeout passes (nullopt: never), a signal
    // arrives or the connection dies. `done` is checked before every wait.
    WaitResult wait(const std::function<bool()> &done,
                    std::optional<std::chrono::milliseconds> timeout);
    bool alive() const { return !dead_; }
    // Dead through a protocol error or the compositor closing the socket, rather than a
    // failure inside this process.
    bool closed_by_compositor() const;

    // Adds "error" (strerror), "protocol_error" ({interface, code, object_id, message} or
    // null) and, for a local failure, libwayland's "message".
    void describe_death(Json &line) const;
    // One line of text for a result's detail, e.g. "protocol error 0 on wl_display@1: ...".
    std::string death_summary() const;
    // Prints {"event":"disconnected",...} once.
    void report_disconnect();

private:
    WaitResult die(); // marks the connection dead
    static void handle_global(void *data, wl_registry *registry, uint32_t name,
                              const char *interface, uint32_t version);
    static void handle_global_remove(void *data, wl_registry *registry, uint32_t name);

    wl_display_ptr display_;
    wl_registry_ptr registry_;
    std::vector<Global> globals_;
    bool dead_ = false;
    bool reported_ = false;
    std::chrono::milliseconds timeout_{5000};
    uint64_t log_count_at_open_ = 0;
    std::string death_log_; // what libwayland logged when the connection died
};

// The last message libwayland-client logged (it logs protocol errors with their text), and
// how many it has logged so far.
const std::string &last_wayland_log();
uint64_t wayland_log_count();

} // namespace rampart::hostile
