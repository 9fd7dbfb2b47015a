// The broker's storage work, run in a forked child like a PAM check (in system mode it has
// root's rights over device-mapper; the keys never reach the compositor): the lock policy,
// the status for rampartctl, and unlocking the volumes once PAM accepted the password.
#pragma once

#include "auth_protocol.hpp"
#include "config/config.hpp"

#include <span>
#include <string>

namespace rampart::authd {

class Channel;

// Sends exactly one storage_done frame for `request` over `channel`.
void run_storage_job(const auth::StorageRequest &request, const config::StorageConfig &storage,
                     Channel &channel);

// After PAM succeeded: resumes or activates every configured volume with `password`. Empty
// text on success; else what the user is told (which volume, why).
std::string unlock_storage(const config::StorageConfig &storage, std::span<const char> password);

} // namespace rampart::authd
