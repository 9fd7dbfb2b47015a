// Helpers for the control socket tests: a real wl_event_loop dispatched with deadlines, a
// non-blocking raw client, a recording handler and a way to run rampartctl meanwhile.
#pragma once

#include "control/control_socket.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rampart::test {

using namespace std::chrono_literals;

// A fresh private directory under /tmp, removed with everything in it.
struct TempDir {
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string path;
};

class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop &) = delete;
    Loop &operator=(const Loop &) = delete;
    wl_event_loop *get() const { return loop_; }
    // Dispatches until `condition` holds; false after `timeout` (scaled for valgrind).
    bool run_until(const std::function<bool()> &condition, std::chrono::milliseconds timeout = 5s);
    // Dispatches for `duration` (at least once), e.g. to show that something does not happen.
    void run_for(std::chrono::milliseconds duration);

private:
    wl_event_loop *loop_;
};

// Records every call and checks that the handler only ever sees clean words.
struct Recorder {
    std::vector<std::vector<std::string>> calls;
    std::vector<control::Peer> peers;
    bool saw_malformed = false;
    // Replies by first word; "ok" otherwise.
    std::map<std::string, std::string> replies;
    control::Handler handler();
    size_t count(const std::string &word) const;
};

// A raw, non-blocking client connection.
class RawClient {
public:
    // Connects, dispatching `loop` while the backlog is full; fd < 0 when it failed.
    RawClient(Loop &loop, const std::string &path);
    int fd() const { return fd_.get(); }
    bool connected() const { return static_cast<bool>(fd_); }
    // Sends all of `data`, dispatching `loop` while the socket is full; false on error.
    bool send(Loop &loop, std::string_view data);
    // Reads what is there; notes end of stream or reset.
    void read_available();
    bool closed_by_server() const { return eof_; }
    // Complete lines received so far (without '\n').
    std::vector<std::string> lines() const;
    // Sends one request and waits for one more reply line; "" on timeout or close.
    std::string request(Loop &loop, const std::string &line);
    void close() { fd_.reset(); }

private:
    control::UniqueFd fd_;
    std::string received_;
    bool eof_ = false;
};

// The socket in `dir`, served by `recorder`; fails the test when it cannot be made.
std::unique_ptr<control::ControlSocket> make_socket(Loop &loop, const std::string &path,
                                                    Recorder &recorder);

// A new client asks for "status" and gets "ok...": the server still serves others.
bool responsive(Loop &loop, const std::string &path);

struct Run {
    int exit_code = -1;
    std::string out, err;
};

// Runs the real rampartctl ($RAMPARTCTL) with `args` and exactly `env`, dispatching `loop`
// until it exits.
Run run_rampartctl(Loop &loop, const std::vector<std::string> &args,
                   const std::vector<std::string> &env);

} // namespace rampart::test
