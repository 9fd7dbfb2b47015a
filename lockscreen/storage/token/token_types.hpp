// The plain values the smartcard unlock passes around: a token seen now, a token enrolled in a
// volume's LUKS2 header, and a pairing of the two. No secrets here.
#pragma once

#include <string>
#include <vector>

namespace rampart::storage {

// A PKCS#11 token present now, with its PIN state (CK_TOKEN_INFO flags).
struct TokenInfo {
    std::string label, serial;
    std::string uri;    // the token's PKCS#11 URI (token, manufacturer, serial, model)
    std::string module; // the module it was found through: a path, or "" for p11-kit's list
    bool pin_count_low = false, pin_final_try = false, pin_locked = false;
    // The PIN lengths the token accepts, in bytes (ulMinPinLen, ulMaxPinLen); 0: not said.
    unsigned long pin_min_length = 0, pin_max_length = 0;
    bool pin_pad = false; // CKF_PROTECTED_AUTHENTICATION_PATH: the reader takes the PIN
    bool needs_login = true; // CKF_LOGIN_REQUIRED: its keys are usable only after the PIN
};

// A `systemd-pkcs11` token in a configured volume's LUKS2 header.
struct EnrolledToken {
    std::string volume;                     // VolumeConfig::name
    std::string device;                     // VolumeConfig::device
    int luks_token_id = -1;                 // the LUKS2 token number
    std::vector<int> keyslots;              // keyslots the derived passphrase opens
    std::string pkcs11_uri;                 // which token and key (systemd-cryptenroll's URI)
    std::vector<unsigned char> wrapped_key; // "pkcs11-key": the secret, RSA-encrypted
};

// A present token that is enrolled in a volume.
struct TokenMatch {
    TokenInfo token;
    EnrolledToken enrolled;
};

} // namespace rampart::storage
