// The attacks, one function each, and how they report. Every attack prints JSON lines and
// ends with {"event":"result",...}; the return value is the process exit code.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "options.hpp"

namespace rampart::hostile {

constexpr int exit_refused = 0;   // the compositor refused the attack
constexpr int exit_succeeded = 1; // the compositor let it through
constexpr int exit_usage = 2;
constexpr int exit_disconnected = 3; // window attacks: the connection died while running
constexpr int exit_setup = 4;        // could not even try (no compositor, missing globals)

// --timeout as a duration.
inline std::chrono::milliseconds timeout_of(const Options &options)
{
    return std::chrono::milliseconds(int64_t(options.timeout_seconds * 1000));
}

// Prints the result line and returns the matching exit code.
int report_result(const Options &options, bool refused, const std::string &detail);
int report_setup_failure(const Options &options, const std::string &detail);

class Connection;
class Window;
struct Globals;

// Connects and binds what windows need. nullopt on success; otherwise the setup failure has
// been reported and this is the exit code.
std::optional<int> set_up_windows(Connection &connection, Globals &globals, const Options &options);

// Waits for `window` to map, then does a roundtrip and prints {"event":"mapped"}. nullopt
// when mapped; otherwise the result has been reported and this is the exit code.
std::optional<int> await_map(Connection &connection, const Window &window, const Options &options);

struct Verdict {
    bool refused = false;
    std::string detail;
};
// Keep-running modes: dispatches until SIGTERM/SIGINT or disconnection (not at all with
// --exit-after-map), then reports `verdict()` or the disconnection (exit 3).
int keep_running(Connection &connection, const Options &options,
                 const std::function<Verdict()> &verdict);

// bind_attacks.cpp
int run_list_globals(const Options &options);
int run_list_privileged(const Options &options);
int run_bind_by_name(const Options &options);
int run_bind_by_number(const Options &options);
// window_attacks.cpp
int run_many_windows(const Options &options);
int run_huge_title(const Options &options);
// surface_attacks.cpp: evil-title, fake-frame, subsurface-over, popup-escape, output-sized
int run_surface_attack(const Options &options);
// keylogger.cpp
int run_keylogger(const Options &options);

} // namespace rampart::hostile
