// One PAM transaction, run inside the forked child (see pam_child.hpp): pam_start,
// pam_authenticate, pam_acct_mgmt, pam_end, relaying every conversation message to the
// parent over a framed channel and ending with exactly one `result` frame.
#pragma once

#include "auth_protocol.hpp"
#include "config/config.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace rampart::authd {

struct CheckRequest {
    std::string service; // PAM service name
    std::string user;    // from the user database, never from the client
    std::uint32_t attempt = 0;
    // Volumes to unlock with the password once PAM accepted it (the system config's).
    config::StorageConfig storage;
    // Set: this child does storage work (lock policy, status) instead of a check.
    std::optional<auth::StorageRequest> storage_job;
    // automatic: an enrolled smartcard, when present, is asked for its PIN instead.
    auth::Method method = auth::Method::password;
};

// Where the child reports the failure delay PAM asked for as soon as libpam hands it over
// (before the child sleeps it), so a parent that kills the check early still knows it.
using FailDelayReport = std::atomic<std::uint32_t>; // microseconds; 0: none asked (yet)
static_assert(FailDelayReport::is_always_lock_free, "shared between processes");

// What PAM's return codes mean for the user (no delay applied here).
struct CheckOutcome {
    auth::Status status = auth::Status::unavailable;
    std::string text;   // for the user
    std::string detail; // for the journal when unavailable
};

// Maps pam_authenticate's and (when it succeeded) pam_acct_mgmt's codes to a result.
CheckOutcome classify(int authenticate_code, int account_code);

// Runs the transaction over `channel_fd` (owned: closed when done). Waits the failure delay
// PAM asked for before a failure result; never before success. The delay is also stored in
// `delay_report` (may be null) as soon as it is known. A success for another PAM_USER than
// request.user (a module rewrote it) is denied.
void run_pam_check(const CheckRequest &request, int channel_fd, FailDelayReport *delay_report);

} // namespace rampart::authd
