// Smartcard unlock of LUKS2 volumes, in the format Debian 12's `systemd-cryptenroll
// --pkcs11-token-uri=...` writes: which tokens are present, which are enrolled in the
// configured volumes, which present token belongs to which volume, and the PIN check that
// turns a token's wrapped secret into the volume's keyslot passphrase. Activation and resume
// stay with the volumes library: this hands it the passphrase.
//
// Each call loads and initialises the PKCS#11 modules and finalises them before returning
// (the broker calls this in a forked child per check).
#pragma once

#include "secret_buffer.hpp"
#include "token_types.hpp"

#include <span>
#include <string>
#include <vector>

namespace rampart::config {
struct StorageConfig;
}

namespace rampart::storage {

// Tokens present now, through `config.pkcs11_module` or p11-kit's module list. A module that
// cannot be loaded adds a line to `problems` (when given).
std::vector<TokenInfo> present_tokens(const config::StorageConfig &config,
                                      std::vector<std::string> *problems = nullptr);

// The systemd-pkcs11 tokens in every configured volume's header. Unreadable headers and
// tokens that do not parse are skipped, each with a line in `problems` (when given).
std::vector<EnrolledToken> enrolled_tokens(const config::StorageConfig &config,
                                           std::vector<std::string> *problems = nullptr);

// Each (present, enrolled) pair where the enrolment's URI names the present token, matched
// on the token fields (label, manufacturer, model, serial) as systemd-cryptsetup does. A card
// not enrolled in any configured volume matches nothing.
std::vector<TokenMatch> match_tokens(const std::vector<TokenInfo> &present,
                                     const std::vector<EnrolledToken> &enrolled);

enum class PinResult {
    ok,
    wrong_pin,     // refused by the card, or a length the card never accepts (no try spent)
    login_refused, // C_Login failed otherwise; the PIN is not tried again in this check
    pin_locked,
    final_try_unconfirmed, // the card reached its final try after the user was asked
    token_removed,
    error,
};

struct TokenUnlock {
    PinResult result = PinResult::error;
    std::string user_message; // for the lock screen; empty on success
    std::string detail;       // for the log (PKCS#11 return codes); never a secret
    TokenInfo state;          // the token's PIN state after the attempt (flags re-read)
};

// Logs into the matched token with `pin`, decrypts the enrolled wrapped secret with the
// token's RSA key (CKM_RSA_PKCS) and puts the keyslot passphrase systemd derives from it
// (its base64 text) into `passphrase_out`, which is cleared first. The decrypted secret only
// ever lives in a SecretBuffer. Does not check the passphrase against the header: the caller
// resumes or activates with it.
// The token's state is read again right before the login: a PIN the card's length limits
// refuse is not sent (no try spent), and a card now at its final try is not logged into
// unless `final_try_confirmed` (the user confirmed spending it).
TokenUnlock derive_volume_passphrase(const TokenMatch &match, std::span<const char> pin,
                                     secure::SecretBuffer &passphrase_out,
                                     bool final_try_confirmed);

// "" when `length` (bytes) is within the token's PIN limits, else what to tell the user.
std::string pin_length_problem(const TokenInfo &token, std::size_t length);

// What the lock screen shows about a token's PIN before the user types it: "" when nothing
// is special, else e.g. "Final PIN try for <label>: a wrong PIN locks the card." A token in
// its final try should be confirmed by the user before the PIN is sent.
std::string pin_state_message(const TokenInfo &token);

} // namespace rampart::storage
