// Internal: libcryptsetup handles and the translation of its errors into words a user
// understands. Nothing here sees a passphrase.
#pragma once

#include <libcryptsetup.h>

#include <memory>
#include <string>

namespace rampart::storage::detail {

struct CryptFree {
    void operator()(crypt_device *cd) const { crypt_free(cd); }
};
using CryptDevice = std::unique_ptr<crypt_device, CryptFree>;

// A failure: `reason` completes "Volume home could not be unlocked: ..." (no final period),
// `detail` is for the log (errno names, libcryptsetup calls).
struct Failure {
    std::string reason, detail;
};

// Routes libcryptsetup's log (which never contains passphrases) to our debug log. Idempotent.
void install_log_callback();
// The kernel's device-mapper registers a misc device; /dev/mapper/control alone proves
// nothing (libdevmapper creates that node even when the kernel has no device-mapper).
bool kernel_has_device_mapper();

// The LUKS2 header of `device` loaded, or why not (missing, not LUKS2, damaged, refused).
struct Opened {
    CryptDevice cd;
    Failure failure;      // meaningful when !cd
    bool missing = false; // !cd because the device does not exist
};
Opened open_volume(const std::string &device);

// The mapping `name` as seen from the device-mapper.
enum class Mapping { inactive, active, suspended, no_device_mapper, foreign };
// `cd` is the configured device's loaded header: an active mapping of that name made from
// another device (a different LUKS2 UUID) is `foreign`, and never touched.
Mapping inspect_mapping(crypt_device *cd, const std::string &name, std::string &detail);

// The words for a failed passphrase operation (activate, resume, verify), from its -errno.
Failure passphrase_failure(int error, bool token, const char *operation);
// The words for any other failed libcryptsetup operation (suspend, ...).
Failure system_failure(int error, const char *operation);

std::string errno_text(int error); // "EPERM (Operation not permitted)"

inline constexpr const char *no_device_mapper_reason =
    "device-mapper is not available on this system";
// For Mapping::no_device_mapper: the kernel has none (no_device_mapper_reason), or has one
// this process may not use (not root, no /dev/mapper/control access).
Failure device_mapper_failure(std::string detail);

} // namespace rampart::storage::detail
