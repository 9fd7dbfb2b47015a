// Runs the real rampart-authd for tests: a PAM service directory for pam_wrapper, the broker
// on one end of a socketpair, and the protocol spoken through auth_protocol.hpp.
#pragma once

#include "auth_protocol.hpp"
#include "support/pam_service.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::authd_test {

using namespace std::chrono_literals;

using test::built_with_asan;
using test::current_user_name;

// A random password-like string, different on every call.
std::string random_secret(std::size_t length = 24);

// The PAM service for a broker (support/pam_service.hpp): `service_lines` as there, and a
// pam_matrix password file holding "user:password:rampart".
class PamServiceDir {
public:
    PamServiceDir(const std::string &password, const std::string &service_lines)
        : files_(std::span<const char>(password.data(), password.size()), service_lines)
    {
    }
    const std::string &path() const { return files_.service_dir(); }
    const std::string &data_dir() const { return files_.data_dir(); }

private:
    test::PamServiceFiles files_;
};

struct BrokerOptions {
    std::vector<std::string> extra_args; // e.g. --pam-service NAME
    bool socket_activated = false;       // LISTEN_FDS=1 with the connection on fd 3
    std::optional<uid_t> run_as;         // drop to this uid (and gid) before exec
    bool fd_shim = false;                // also preload fd_closing_shim.so (close_range fails)
    std::vector<std::pair<std::string, std::string>> env; // extra environment
    std::vector<int> inherit; // descriptors (> 3) left open across exec, as an unclean parent would
};

class Broker {
public:
    Broker(const PamServiceDir &services, BrokerOptions options = {});
    ~Broker(); // SIGKILL and reap if still running
    Broker(const Broker &) = delete;
    Broker &operator=(const Broker &) = delete;

    pid_t pid() const { return pid_; }

    void send(const std::vector<std::uint8_t> &frame);
    void send_raw(std::string_view bytes);
    void send_answer(std::uint32_t attempt, std::string_view secret);
    // The next message, std::nullopt when the connection closed or nothing came in time.
    std::optional<auth::Message> next(std::chrono::milliseconds timeout = 10s);
    bool connection_closed() const { return closed_; }
    // Waits for end of stream, discarding messages; true if it came in time.
    bool wait_closed(std::chrono::milliseconds timeout = 10s);
    void close_connection();

    // Waits for the broker to exit; its exit status (as from waitpid), or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s);
    // The broker's child processes right now (from /proc).
    std::vector<pid_t> children() const;
    // Waits until the broker has at least one child; its pid, or -1 on timeout.
    pid_t wait_for_child(std::chrono::milliseconds timeout = 10s) const;

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    bool closed_ = false;
    bool reaped_ = false;
    auth::Decoder decoder_;
};

// True once `pid` is no longer a live process: gone, or reaped by us as subreaper.
bool process_gone(pid_t pid, std::chrono::milliseconds timeout = 10s);

// Every readable mapping of `pid` with pages present scanned for `needle`, except mappings
// larger than `largest_mapping` bytes (counted in mappings_skipped). Throws when the memory
// cannot be read at all.
struct MemoryScan {
    std::size_t bytes_read = 0;
    bool found = false;
    std::vector<std::string> where; // the /proc/PID/maps lines of the mappings it was in
    std::size_t mappings_skipped = 0;
};
MemoryScan scan_memory(pid_t pid, std::string_view needle, std::size_t largest_mapping = SIZE_MAX);

} // namespace rampart::authd_test
