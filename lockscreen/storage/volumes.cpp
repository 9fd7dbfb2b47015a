#include "storage/volumes.hpp"

#include "storage/crypt.hpp"
#include "storage/mounts.hpp"
#include "storage/tokens.hpp"
#include "util/log.hpp"

#include <cstdlib>
#include <cstring>

namespace rampart::storage {

using config::OnLock;
using config::StorageConfig;
using config::VolumeConfig;
using detail::Failure;
using detail::Mapping;

namespace {

enum class Done { left, verified, resumed, activated, suspended, failed };

struct Step {
    Done done = Done::failed;
    Failure failure; // when done == failed
    std::string note;
};

std::string message_for(const VolumeConfig &volume, const char *verb, const std::string &reason)
{
    return "Volume " + volume.name + " could not be " + verb + ": " + reason + ".";
}

void journal(const VolumeConfig &volume, const char *id, log::Level level, const std::string &text,
             const char *operation, const std::string &detail = {})
{
    log::security_event(level, id, text,
                        {"RAMPART_VOLUME=" + volume.name, "RAMPART_DEVICE=" + volume.device,
                         std::string("RAMPART_STORAGE_OP=") + operation,
                         "RAMPART_STORAGE_DETAIL=" + detail});
}

// The passphrase pointer for libcryptsetup; an empty span may have no data pointer.
const char *bytes(std::span<const char> passphrase)
{
    return passphrase.data() ? passphrase.data() : "";
}

std::string in_use(const VolumeConfig &volume)
{
    return "its mapping name " + volume.name + " is used by another device";
}

Step fail(Failure failure)
{
    return {Done::failed, std::move(failure), {}};
}

Step unlock_one(const VolumeConfig &volume, std::span<const char> passphrase, Mode mode, bool token,
                bool check_active)
{
    detail::Opened opened = detail::open_volume(volume.device);
    if (!opened.cd)
        return fail(std::move(opened.failure));
    crypt_device *cd = opened.cd.get();
    auto verify = [&]() -> Step {
        // A NULL name checks the passphrase against the keyslots and maps nothing.
        int r = crypt_activate_by_passphrase(cd, nullptr, CRYPT_ANY_SLOT, bytes(passphrase),
                                             passphrase.size(), 0);
        if (r < 0)
            return fail(
                detail::passphrase_failure(r, token, "crypt_activate_by_passphrase(check)"));
        return {Done::verified, {}, "keyslot " + std::to_string(r)};
    };
    if (mode == Mode::verify_only)
        return verify();
    std::string detail;
    switch (detail::inspect_mapping(cd, volume.name, detail)) {
    case Mapping::no_device_mapper: return fail(detail::device_mapper_failure(detail));
    case Mapping::foreign: return fail({in_use(volume), detail});
    case Mapping::active:
        if (!check_active)
            return {Done::left, {}, "already active"};
        return verify();
    case Mapping::inactive: {
        int r = crypt_activate_by_passphrase(cd, volume.name.c_str(), CRYPT_ANY_SLOT,
                                             bytes(passphrase), passphrase.size(), 0);
        if (r < 0)
            return fail(detail::passphrase_failure(r, token, "crypt_activate_by_passphrase"));
        return {Done::activated, {}, "keyslot " + std::to_string(r)};
    }
    case Mapping::suspended: {
        int r = crypt_resume_by_passphrase(cd, volume.name.c_str(), CRYPT_ANY_SLOT,
                                           bytes(passphrase), passphrase.size());
        if (r < 0)
            return fail(detail::passphrase_failure(r, token, "crypt_resume_by_passphrase"));
        return {Done::resumed, {}, "keyslot " + std::to_string(r)};
    }
    }
    return fail({"of an internal error", "unexpected mapping state"});
}

Step lock_one(const VolumeConfig &volume, Mode mode)
{
    detail::Opened opened = detail::open_volume(volume.device);
    if (!opened.cd)
        return fail(std::move(opened.failure));
    if (mode == Mode::verify_only)
        return {Done::left, {}, "verify_only: not suspended"};
    crypt_device *cd = opened.cd.get();
    std::string detail;
    switch (detail::inspect_mapping(cd, volume.name, detail)) {
    case Mapping::no_device_mapper: return fail(detail::device_mapper_failure(detail));
    case Mapping::foreign: return fail({in_use(volume), detail});
    case Mapping::inactive: return {Done::left, {}, "not active"};
    case Mapping::suspended: return {Done::left, {}, "already suspended"};
    case Mapping::active: break;
    }
    // Dirty pages of a suspended mapping wait in memory until resume: write them out first,
    // while writing is still possible. Failures are logged; suspending is still right.
    detail::SyncReport sync = detail::sync_mapping(volume.name);
    std::string note = "synced " + std::to_string(sync.synced.size()) + " file system(s)";
    for (const std::string &error : sync.errors)
        note += "; syncfs " + error;
    if (int r = crypt_suspend(cd, volume.name.c_str()); r < 0) {
        Failure failure = detail::system_failure(r, "crypt_suspend");
        failure.detail = note + "; " + failure.detail;
        return fail(std::move(failure));
    }
    return {Done::suspended, {}, note};
}

const char *done_text(Done done)
{
    switch (done) {
    case Done::left: return "left";
    case Done::verified: return "passphrase verified";
    case Done::resumed: return "resumed";
    case Done::activated: return "activated";
    case Done::suspended: return "suspended";
    case Done::failed: return "failed";
    }
    return "?";
}

void add_detail(Outcome &outcome, const VolumeConfig &volume, const Step &step)
{
    if (!outcome.log_detail.empty())
        outcome.log_detail += "; ";
    outcome.log_detail += volume.name + ": " + done_text(step.done);
    const std::string &extra = step.done == Done::failed ? step.failure.detail : step.note;
    if (!extra.empty())
        outcome.log_detail += " (" + extra + ")";
}

// Journals one volume's unlock step; returns false on failure (and fills the outcome).
bool record_unlock(Outcome &outcome, const VolumeConfig &volume, const Step &step)
{
    add_detail(outcome, volume, step);
    switch (step.done) {
    case Done::failed:
        outcome.ok = false;
        outcome.user_message = message_for(volume, "unlocked", step.failure.reason);
        journal(volume, volume_failed_id, log::Level::warning, outcome.user_message, "unlock",
                step.failure.detail);
        return false;
    case Done::resumed:
        journal(volume, volume_resumed_id, log::Level::info, "Volume " + volume.name + " resumed",
                "resume", step.note);
        break;
    case Done::activated:
        journal(volume, volume_activated_id, log::Level::info,
                "Volume " + volume.name + " activated", "activate", step.note);
        break;
    default:
        log::debug("storage: volume %s: %s (%s)", volume.name.c_str(), done_text(step.done),
                   step.note.c_str());
        break;
    }
    return true;
}

bool record_lock(Outcome &outcome, const VolumeConfig &volume, const Step &step)
{
    add_detail(outcome, volume, step);
    if (step.done == Done::failed) {
        std::string text = message_for(volume, "suspended", step.failure.reason);
        if (outcome.ok)
            outcome.user_message = text;
        outcome.ok = false;
        journal(volume, volume_failed_id, log::Level::error, text, "suspend", step.failure.detail);
        return false;
    }
    if (step.done == Done::suspended)
        journal(volume, volume_suspended_id, log::Level::info,
                "Volume " + volume.name + " suspended", "suspend", step.note);
    return true;
}

} // namespace

const char *to_string(VolumeState state)
{
    switch (state) {
    case VolumeState::missing: return "missing";
    case VolumeState::inactive: return "inactive";
    case VolumeState::active: return "active";
    case VolumeState::suspended: return "suspended";
    case VolumeState::unknown: return "unknown";
    }
    return "unknown";
}

Mode mode_from_environment()
{
    const char *value = std::getenv(verify_only_variable);
    return value && std::strcmp(value, "1") == 0 ? Mode::verify_only : Mode::real;
}

namespace {
// Both unlock paths: in order, all or nothing for the suspend volumes.
Outcome unlock_in_order(const StorageConfig &storage, std::span<const VolumeKeys> keys, Mode mode,
                        bool token, bool check_active)
{
    Outcome outcome;
    std::vector<const VolumeConfig *> opened; // resumed or activated by this call
    for (const VolumeKeys &entry : keys) {
        const VolumeConfig &volume = *entry.volume;
        Step step = fail({"no key for it was found", "no passphrase to try"});
        for (std::span<const char> passphrase : entry.passphrases) {
            step = unlock_one(volume, passphrase, mode, token, check_active);
            if (step.done != Done::failed)
                break;
        }
        if (record_unlock(outcome, volume, step)) {
            if (step.done == Done::resumed || step.done == Done::activated)
                opened.push_back(&volume);
            continue;
        }
        // The screen stays locked: keys this call put back in the kernel leave again.
        for (const VolumeConfig *done : opened)
            if (storage.policy_for(*done) == OnLock::suspend) {
                Outcome rollback;
                record_lock(rollback, *done, lock_one(*done, mode));
                outcome.log_detail += "; rollback: " + rollback.log_detail;
            }
        break;
    }
    return outcome;
}
} // namespace

Outcome unlock_volumes(const StorageConfig &storage, std::span<const char> passphrase, Mode mode)
{
    std::vector<VolumeKeys> keys;
    for (const VolumeConfig &volume : storage.volumes)
        keys.push_back({&volume, {passphrase}});
    return unlock_in_order(storage, keys, mode, false, false);
}

Outcome unlock_with_keys(const StorageConfig &storage, std::span<const VolumeKeys> keys, Mode mode,
                         Credential credential)
{
    return unlock_in_order(storage, keys, mode, credential == Credential::token, true);
}

Outcome lock_volumes(const StorageConfig &storage, Mode mode)
{
    Outcome outcome;
    for (const VolumeConfig &volume : storage.volumes)
        if (storage.policy_for(volume) == OnLock::suspend)
            record_lock(outcome, volume, lock_one(volume, mode));
    return outcome;
}

std::vector<VolumeStatus> status(const StorageConfig &storage)
{
    std::vector<VolumeStatus> list;
    for (const VolumeConfig &volume : storage.volumes) {
        VolumeStatus entry;
        entry.name = volume.name;
        entry.device = volume.device;
        entry.policy = storage.policy_for(volume);
        detail::Opened opened = detail::open_volume(volume.device);
        if (!opened.cd) {
            entry.state = opened.missing ? VolumeState::missing : VolumeState::unknown;
            entry.error = opened.failure.reason;
            list.push_back(std::move(entry));
            continue;
        }
        entry.tokens = detail::describe_tokens(opened.cd.get());
        std::string detail;
        switch (detail::inspect_mapping(opened.cd.get(), volume.name, detail)) {
        case Mapping::no_device_mapper: {
            // Without device-mapper in the kernel nothing is mapped: certainly inactive.
            entry.error = detail::device_mapper_failure(detail).reason;
            entry.state = entry.error == detail::no_device_mapper_reason ? VolumeState::inactive
                                                                         : VolumeState::unknown;
            break;
        }
        case Mapping::foreign:
            entry.state = VolumeState::unknown;
            entry.error = in_use(volume);
            break;
        case Mapping::inactive: entry.state = VolumeState::inactive; break;
        case Mapping::active: entry.state = VolumeState::active; break;
        case Mapping::suspended: entry.state = VolumeState::suspended; break;
        }
        list.push_back(std::move(entry));
    }
    return list;
}

} // namespace rampart::storage
