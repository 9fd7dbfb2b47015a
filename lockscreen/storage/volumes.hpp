// The user's LUKS2 volumes at lock and unlock (issue 6): resume or activate them with a
// passphrase, suspend them at lock, report their state. Used by rampart-authd only; the
// compositor never links this. Passphrases arrive as spans into the caller's SecretBuffer and
// go straight to libcryptsetup: nothing here copies, logs or keeps them.
#pragma once

#include "config/config.hpp"

#include <span>
#include <string>
#include <vector>

namespace rampart::storage {

enum class VolumeState {
    missing,   // the configured device does not exist
    inactive,  // no mapping of that name (also: no device-mapper on this system)
    active,    // mapped, I/O flows
    suspended, // mapped, key wiped from the kernel, I/O waits (crypt_suspend)
    unknown,   // could not be determined (see VolumeStatus::error)
};
const char *to_string(VolumeState state);

struct VolumeStatus {
    std::string name, device;
    VolumeState state = VolumeState::unknown;
    config::OnLock policy = config::OnLock::keep;
    // One line per LUKS2 token, e.g. "systemd-pkcs11 (keyslot 1): pkcs11:token=...". Text
    // from the header is sanitized (printable ASCII only, bounded length).
    std::vector<std::string> tokens;
    std::string error; // why state is missing/unknown, or a note; plain words; empty when fine
};

struct Outcome {
    bool ok = true;
    std::string user_message; // for the lock screen: names the volume, plain words; empty if ok
    std::string log_detail;   // for the journal: what was done to each volume, errno texts
};

// real: device-mapper operations. verify_only: passphrases are checked against the keyslots
// without activating anything and lock does not suspend; for machines without
// device-mapper (tests). The broker takes it from mode_from_environment().
enum class Mode { real, verify_only };
// Test hook: RAMPART_STORAGE_VERIFY_ONLY=1 selects verify_only; anything else is real.
inline constexpr const char *verify_only_variable = "RAMPART_STORAGE_VERIFY_ONLY";
Mode mode_from_environment();

// What produced the passphrase; only changes the wording of "does not open it".
enum class Credential { password, token };

// After PAM succeeded (or a token produced the volume passphrase), in config order: a
// suspended volume is resumed, an inactive one activated (the first unlock of a session
// started locked), an active one left alone without a passphrase check (so a keep volume
// never blocks the screen unlock). On the first failure the volumes this call resumed or
// activated whose policy is suspend are suspended again (the screen stays locked, so their
// keys must not stay in the kernel), and the outcome names the failed volume.
Outcome unlock_volumes(const config::StorageConfig &storage, std::span<const char> passphrase,
                       Mode mode);
// A volume and the passphrases that may open it, tried in order until one does (the token
// path: one per enrolment of the card in that volume, as a stale enrolment may sit beside
// the current one).
struct VolumeKeys {
    const config::VolumeConfig *volume = nullptr;
    std::vector<std::span<const char>> passphrases;
};
// The token path: like unlock_volumes, for the listed volumes with their own passphrases, and
// an active volume's keyslots are checked too (the passphrase opening a keyslot is the proof
// of the card). On the first volume none of its passphrases opens, the ones this call resumed
// or activated are suspended again (suspend policy) and the outcome names that volume.
Outcome unlock_with_keys(const config::StorageConfig &storage, std::span<const VolumeKeys> keys,
                         Mode mode, Credential credential = Credential::token);
// At lock, for each volume whose policy is suspend: sync the file systems mounted from its
// mapping (and from devices stacked on it), then crypt_suspend. keep volumes: nothing. All
// volumes are attempted even when one fails. verify_only: only checks the headers load.
Outcome lock_volumes(const config::StorageConfig &storage, Mode mode);

std::vector<VolumeStatus> status(const config::StorageConfig &storage);

// Journal MESSAGE_IDs of the storage events (one per volume and operation).
inline constexpr const char *volume_resumed_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f5e01";
inline constexpr const char *volume_activated_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f5e02";
inline constexpr const char *volume_suspended_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f5e03";
inline constexpr const char *volume_failed_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f5e04";

} // namespace rampart::storage
