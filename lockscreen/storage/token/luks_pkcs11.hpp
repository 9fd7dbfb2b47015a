// The LUKS2 side of smartcard unlock: the `systemd-pkcs11` tokens systemd-cryptenroll writes
// into a volume's header, and a check that a derived passphrase opens their keyslot. Nothing
// here activates a volume.
//
// The token, as systemd 252 writes it (src/cryptenroll/cryptenroll-pkcs11.c):
//   {"type":"systemd-pkcs11", "keyslots":["1"], "pkcs11-uri":"pkcs11:token=...",
//    "pkcs11-key":"<base64 of the random secret, RSA PKCS#1 v1.5 encrypted to the card's key>"}
// The keyslot's passphrase is the base64 text of the decrypted secret.
#pragma once

#include "token_types.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::config {
struct VolumeConfig;
}

namespace rampart::storage {

inline constexpr std::string_view systemd_pkcs11_type = "systemd-pkcs11";

// Parses one token's JSON. False, with `problem` saying what is wrong, for a token that is
// not a usable systemd-pkcs11 token.
bool parse_systemd_pkcs11_token(std::string_view json, EnrolledToken &token, std::string &problem);

// The systemd-pkcs11 tokens in the volume's header. A header that cannot be read, or a token
// that cannot be parsed, adds a line to `problems` and is skipped.
std::vector<EnrolledToken> read_enrolled_tokens(const config::VolumeConfig &volume,
                                                std::vector<std::string> &problems);

// Whether `passphrase` opens one of the token's keyslots; checked by libcryptsetup without
// activating anything (no device-mapper needed).
bool passphrase_opens(const EnrolledToken &token, std::span<const char> passphrase);

} // namespace rampart::storage
