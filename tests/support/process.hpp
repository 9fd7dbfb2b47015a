// Child processes for tests: stdin/stdout pipes, JSON-line events parsed from stdout, and
// waits on conditions with deadlines (poll on the pipes, never a blind sleep).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rampart::test {

// One flat JSON object from a client's --log line: top-level keys to raw values (strings
// unquoted and unescaped, numbers and arrays as written).
using Event = std::map<std::string, std::string>;
Event parse_event(const std::string &line);

// A client process with stdin/stdout pipes.
class ClientProcess {
public:
    // `wayland_display` empty: leave WAYLAND_DISPLAY as it is. `merge_stderr`: stderr goes
    // to the same pipe (its lines land in lines()).
    ClientProcess(const std::vector<std::string> &argv, const std::string &wayland_display,
                  bool merge_stderr = false);
    int stdout_fd() const { return stdout_fd_; }
    // Every line read so far, JSON or not.
    const std::vector<std::string> &lines() const { return lines_; }
    void signal(int number);
    ~ClientProcess();
    ClientProcess(const ClientProcess &) = delete;
    ClientProcess &operator=(const ClientProcess &) = delete;

    void send(const std::string &command); // one stdin line (needs --stdin)
    void read_available();                 // drains stdout without blocking
    bool exited();                         // reaps without blocking
    int exit_code() const { return exit_code_; }
    pid_t pid() const { return pid_; }
    void kill_now();

    // Events seen so far, in order.
    const std::vector<Event> &events() const { return events_; }
    // Number of events named `name` whose fields include every (key, value) in `match`.
    size_t count(const std::string &name, const Event &match = {}) const;
    std::optional<Event> last(const std::string &name, const Event &match = {}) const;

private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1, stdout_fd_ = -1;
    bool exited_ = false;
    int exit_code_ = -1;
    std::string partial_;
    std::vector<Event> events_;
    std::vector<std::string> lines_;
};

// A timeout scaled by $RAMPART_TEST_TIMEOUT_SCALE (set when tests run under valgrind).
std::chrono::milliseconds scaled(std::chrono::milliseconds timeout);

// Whether `event` is named `name` and has every (key, value) of `match`.
bool matches(const Event &event, const std::string &name, const Event &match);

// Waits until `condition` holds, reading the processes' output as it arrives.
bool wait_for(const std::vector<ClientProcess *> &processes, const std::function<bool()> &condition,
              std::chrono::milliseconds timeout);

} // namespace rampart::test
