// Base64 (RFC 4648, standard alphabet, '=' padding, no line breaks): the encoding of the
// systemd-pkcs11 token's "pkcs11-key" and of the passphrase systemd derives from the secret.
#pragma once

#include "secret_buffer.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace rampart::storage {

// Appends the encoding of `bytes` to `out` without any copy outside secret memory. False (and
// `out` cleared) when it does not fit.
bool base64_encode_secret(std::span<const unsigned char> bytes, secure::SecretBuffer &out);

// Decodes; ASCII whitespace is skipped. nullopt for anything else that is not base64.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);

} // namespace rampart::storage
