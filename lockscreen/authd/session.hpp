// The broker's parent process: serves one connection from the compositor, one check at a
// time, relaying frames between it and the PAM child. It holds an answer only while
// re-framing it for the child, in locked memory wiped at once.
#pragma once

#include "channel.hpp"
#include "pam_child.hpp"
#include "token_watch.hpp"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace rampart::authd {

// Socket activated: an instance that gets no `start` this long after connecting or after its
// last result exits, so idle connections cannot pin root brokers (and connection slots)
// forever. The compositor reconnects at its next lock. Not while it watches the card that
// unlocked (token_watch.hpp): exiting would silently drop the card_removal policy; the
// watch ends at the next lock or when the card goes, and the idle clock starts again then.
inline constexpr std::chrono::milliseconds socket_idle_timeout{60'000};

// The least a check that was answered but ended without the child's own result (cancel,
// hang-up, a killed or dead child) holds up the connection: without it a peer could cancel
// once the hash is done but before the failure delay, and guess again at once. PAM's own
// request is used when longer; 2 s is pam_unix's usual one.
inline constexpr std::chrono::milliseconds min_abandoned_check_delay{2000};

struct SessionConfig {
    std::string service; // PAM service name
    std::string user;    // whom every check authenticates
    pid_t peer_pid = 0;  // for the journal
    // Exit (status 0) when no check runs and no `start` came for this long; none: never.
    std::optional<std::chrono::milliseconds> idle_timeout;
    config::StorageConfig storage; // the system config's volumes (none: PAM only)
};

class Session {
public:
    Session(int connection_fd, SessionConfig config);
    // Serves until the peer hangs up or stays idle past config.idle_timeout (0), or breaks
    // the protocol (1).
    int run();

private:
    enum class Step { carry_on, peer_gone, violation };

    Step on_peer_readable();
    Step on_peer_message(const auth::Message &message);
    Step on_child_readable();
    Step on_child_message(const auth::Message &message);
    Step start_check(const auth::Start &start);
    Step start_storage_job(const auth::StorageRequest &request);
    Step finish_check(const auth::Result &result);
    // The child died or broke the protocol: journaled, and answered as its kind of work.
    Step child_failed(const char *why);
    Step on_watch_readable();
    Step report_watch(const std::optional<auth::Event> &removed); // the watch's event, if any
    Step violation(const std::string &why);
    void end_check_early();
    int poll_timeout_ms() const;

    SessionConfig config_;
    Channel peer_;
    std::unique_ptr<PamChild> child_;
    std::uint32_t attempt_ = 0;                     // of the running check
    bool storage_job_ = false;                      // the child does storage work, no check
    std::optional<std::uint32_t> finished_attempt_; // the last check that sent its result
    std::optional<UnlockedToken> check_token_;      // the running check's card, if it unlocks
    TokenWatch watch_;                              // the card that unlocked, until removed
    std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
    secure::SecretBuffer answer_frame_{auth::header_size + 6 + auth::max_secret};
};

} // namespace rampart::authd
