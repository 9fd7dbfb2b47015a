// The process one PAM transaction runs in. PAM modules leave copies of the password in heap
// memory nobody can wipe; they vanish with this child. It dies with the broker
// (PR_SET_PDEATHSIG) and the broker SIGKILLs it on cancel or when the peer goes away.
#pragma once

#include "channel.hpp"
#include "pam_check.hpp"

#include <sys/types.h>

#include <chrono>
#include <memory>

namespace rampart::authd {

class PamChild {
    struct Forked {}; // a key only spawn() can make

public:
    // Forks the child, which runs run_pam_check() and _exit()s. `close_in_child`: the
    // descriptor of the compositor's connection (the child never talks to it). nullptr
    // when the fork fails.
    static std::unique_ptr<PamChild> spawn(const CheckRequest &request, int close_in_child);
    PamChild(Forked, pid_t pid, int fd, FailDelayReport *delay_report)
        : pid_(pid), channel_(fd), delay_report_(delay_report)
    {
    }
    ~PamChild(); // SIGKILL (its process group too) and reap: none outlives its check
    PamChild(const PamChild &) = delete;
    PamChild &operator=(const PamChild &) = delete;

    pid_t pid() const { return pid_; }
    Channel &channel() { return channel_; }
    // Set once the child forwarded a prompt and the answer has not been relayed yet.
    bool prompt_pending = false;
    // Set once an answer was relayed: from then on the check may be a guess.
    bool answered = false;
    // The failure delay PAM asked for in this check, as far as the child got; 0 if none yet.
    std::chrono::microseconds requested_fail_delay() const;

private:
    pid_t pid_;
    Channel channel_;
    FailDelayReport *delay_report_; // a MAP_SHARED page the child writes
};

} // namespace rampart::authd
