// Internal: one line per LUKS2 token of a loaded header, for `rampartctl storage status`.
#pragma once

#include <libcryptsetup.h>

#include <string>
#include <string_view>
#include <vector>

namespace rampart::storage::detail {

// E.g. "systemd-pkcs11 (keyslot 1): pkcs11:token=Card;serial=42". Header text is attacker-
// writable by anyone with the disk: every string is sanitized, a malformed token is described,
// never trusted.
std::vector<std::string> describe_tokens(crypt_device *cd);
// Describes one token's JSON text (`type` from libcryptsetup's token status).
std::string describe_token_json(std::string_view type, const char *json);
// Printable ASCII only (others become '?'), at most `limit` characters ("..." when cut).
std::string sanitize(std::string_view text, std::size_t limit = 200);

} // namespace rampart::storage::detail
