// The broker's parent process: serves one connection from the compositor, one check at a
// time, relaying frames between it and the PAM child. It holds an answer only while
// re-framing it for the child, in locked memory wiped at once.
#pragma once

#include "channel.hpp"
#include "pam_child.hpp"

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

namespace rampart::authd {

struct SessionConfig {
    std::string service; // PAM service name
    std::string user;    // whom every check authenticates
    pid_t peer_pid = 0;  // for the journal
};

class Session {
public:
    Session(int connection_fd, SessionConfig config);
    // Serves until the peer hangs up (0) or breaks the protocol (1).
    int run();

private:
    enum class Step { carry_on, peer_gone, violation };

    Step on_peer_readable();
    Step on_peer_message(const auth::Message &message);
    Step on_child_readable();
    Step on_child_message(const auth::Message &message);
    Step start_check(const auth::Start &start);
    Step finish_check(const auth::Result &result);
    Step violation(const std::string &why);

    SessionConfig config_;
    Channel peer_;
    std::unique_ptr<PamChild> child_;
    std::uint32_t attempt_ = 0;                     // of the running check
    std::optional<std::uint32_t> finished_attempt_; // the last check that sent its result
    secure::SecretBuffer answer_frame_{auth::header_size + 6 + auth::max_secret};
};

} // namespace rampart::authd
