// The smartcard path of a check (issue 6), run in the check's forked child: when a token
// enrolled for one of the user's volumes is present, its PIN is asked instead of the password,
// and the secret it unwraps opens the volume. The card is the proof of identity here, as
// with systemd-cryptsetup; without volumes, smartcards go through PAM (pam_p11) instead.
#pragma once

#include "auth_protocol.hpp"
#include "config/config.hpp"

#include <functional>
#include <optional>

namespace rampart::authd {

class Channel;

// PAM's account step for the user (pam_acct_mgmt: account expiry, pam_access, pam_time,
// pam_nologin; not the auth stack's faillock or a locked password):
// nullopt when it allows the unlock, else the result to send instead.
using AccountCheck = std::function<std::optional<auth::Result>()>;

// nullopt: no enrolled token is present (the caller goes on with PAM). Else the result to
// send; every prompt and message of the token path has been sent over `channel`. A volume of
// the user the card does not open must be open already, else (before any PIN) nullopt: the
// password opens them all. Once the card accepted the PIN, `account` runs before any volume
// is touched. A failure suspends again what this check resumed.
std::optional<auth::Result> run_token_check(std::uint32_t attempt,
                                            const config::StorageConfig &storage, Channel &channel,
                                            const AccountCheck &account);

} // namespace rampart::authd
