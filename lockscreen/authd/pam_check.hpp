// One PAM transaction, run inside the forked child (see pam_child.hpp): pam_start,
// pam_authenticate, pam_acct_mgmt, pam_end, relaying every conversation message to the
// parent over a framed channel and ending with exactly one `result` frame.
#pragma once

#include "auth_protocol.hpp"

#include <cstdint>
#include <string>

namespace rampart::authd {

struct CheckRequest {
    std::string service; // PAM service name
    std::string user;    // from the user database, never from the client
    std::uint32_t attempt = 0;
};

// What PAM's return codes mean for the user (no delay applied here).
struct CheckOutcome {
    auth::Status status = auth::Status::unavailable;
    std::string text;   // for the user
    std::string detail; // for the journal when unavailable
};

// Maps pam_authenticate's and (when it succeeded) pam_acct_mgmt's codes to a result.
CheckOutcome classify(int authenticate_code, int account_code);

// Runs the transaction over `channel_fd` (owned: closed when done). Waits the failure delay
// PAM asked for before a failure result; never before success.
void run_pam_check(const CheckRequest &request, int channel_fd);

} // namespace rampart::authd
