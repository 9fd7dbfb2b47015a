#include "storage/crypt.hpp"

#include "util/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string_view>

namespace rampart::storage::detail {

namespace {

void log_from_cryptsetup(int level, const char *message, void *)
{
    // Its messages name devices and keyslots, never key material; most are errors we
    // report in our own words, so they are only worth debug level.
    std::string_view text = message ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    log::debug("libcryptsetup (%d): %.*s", level, static_cast<int>(text.size()), text.data());
}

enum class Magic { luks1, luks2, other, unreadable };

// What the first bytes say, to tell "not LUKS2 at all" from "a damaged LUKS2 header".
Magic sniff_magic(const std::string &device)
{
    int fd = ::open(device.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return Magic::unreadable;
    std::array<unsigned char, 8> head{};
    ssize_t got = ::pread(fd, head.data(), head.size(), 0);
    ::close(fd);
    if (got != static_cast<ssize_t>(head.size()))
        return Magic::other;
    static constexpr unsigned char primary[6] = {'L', 'U', 'K', 'S', 0xba, 0xbe};
    if (std::memcmp(head.data(), primary, sizeof primary) != 0)
        return Magic::other;
    unsigned version = (unsigned{head[6]} << 8) | head[7];
    return version == 1 ? Magic::luks1 : version == 2 ? Magic::luks2 : Magic::other;
}

std::string lowercase_strerror(int error)
{
    std::string text = std::strerror(error);
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
}

} // namespace

bool kernel_has_device_mapper()
{
    std::ifstream misc("/proc/misc");
    std::string line;
    while (std::getline(misc, line))
        if (line.ends_with(" device-mapper"))
            return true;
    return false;
}

void install_log_callback()
{
    static std::once_flag once;
    std::call_once(once, [] {
        crypt_set_log_callback(nullptr, log_from_cryptsetup, nullptr);
        crypt_set_debug_level(CRYPT_DEBUG_NONE);
    });
}

std::string errno_text(int error)
{
    error = error < 0 ? -error : error;
    const char *name = strerrorname_np(error);
    return std::string(name ? name : "errno " + std::to_string(error)) + " (" +
           std::strerror(error) + ")";
}

Opened open_volume(const std::string &device)
{
    install_log_callback();
    Opened opened;
    struct stat info {};
    if (::stat(device.c_str(), &info) != 0) {
        int error = errno;
        opened.missing = error == ENOENT || error == ENOTDIR;
        if (opened.missing)
            opened.failure = {"its device " + device + " is missing", "stat: " + errno_text(error)};
        else
            opened.failure = system_failure(-error, "stat");
        return opened;
    }
    if (!S_ISBLK(info.st_mode) && !S_ISREG(info.st_mode)) {
        opened.failure = {"its device " + device + " is neither a block device nor an image file",
                          "stat: wrong file type"};
        return opened;
    }
    crypt_device *raw = nullptr;
    if (int r = crypt_init(&raw, device.c_str()); r < 0) {
        opened.failure =
            r == -ENOENT || r == -ENOTBLK
                ? Failure{"its device " + device + " is missing", "crypt_init: " + errno_text(r)}
                : system_failure(r, "crypt_init");
        return opened;
    }
    CryptDevice cd(raw);
    if (int r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr); r < 0) {
        std::string detail = "crypt_load: " + errno_text(r);
        if (r == -EACCES || r == -EPERM || r == -ENOMEM || r == -EIO || r == -EBUSY) {
            opened.failure = system_failure(r, "crypt_load");
            return opened;
        }
        switch (sniff_magic(device)) {
        case Magic::luks1:
            opened.failure = {"it is not a LUKS2 volume (it is LUKS1; convert it with "
                              "cryptsetup convert --type luks2)",
                              detail};
            break;
        case Magic::luks2: opened.failure = {"its LUKS2 header is damaged", detail}; break;
        case Magic::other: opened.failure = {"it is not a LUKS2 volume", detail}; break;
        case Magic::unreadable: opened.failure = system_failure(r, "crypt_load"); break;
        }
        return opened;
    }
    opened.cd = std::move(cd);
    return opened;
}

Mapping inspect_mapping(crypt_device *cd, const std::string &name, std::string &detail)
{
    switch (crypt_status(cd, name.c_str())) {
    case CRYPT_INVALID:
        // The name is valid (the config checks it), so the device-mapper itself is absent.
        detail = "crypt_status: CRYPT_INVALID (no dm_mod, or /dev/mapper/control unusable)";
        return Mapping::no_device_mapper;
    case CRYPT_INACTIVE: return Mapping::inactive;
    case CRYPT_ACTIVE:
    case CRYPT_BUSY: break;
    }
    // Only touch a mapping made from the configured volume: compare LUKS2 UUIDs.
    crypt_device *raw = nullptr;
    if (int r = crypt_init_by_name(&raw, name.c_str()); r < 0) {
        detail = "crypt_init_by_name: " + errno_text(r);
        return Mapping::foreign;
    }
    CryptDevice active(raw);
    const char *active_uuid = crypt_get_uuid(active.get());
    const char *our_uuid = crypt_get_uuid(cd);
    if (!active_uuid || !our_uuid || std::strcmp(active_uuid, our_uuid) != 0) {
        detail = std::string("mapping UUID ") + (active_uuid ? active_uuid : "(none)") +
                 ", volume UUID " + (our_uuid ? our_uuid : "(none)");
        return Mapping::foreign;
    }
    crypt_active_device attributes{};
    if (int r = crypt_get_active_device(cd, name.c_str(), &attributes); r < 0) {
        detail = "crypt_get_active_device: " + errno_text(r);
        return Mapping::active; // it is mapped; only the flags are unknown
    }
    return (attributes.flags & CRYPT_ACTIVATE_SUSPENDED) ? Mapping::suspended : Mapping::active;
}

Failure device_mapper_failure(std::string detail)
{
    if (kernel_has_device_mapper())
        return {"the system refused (device-mapper could not be used: permission denied?)",
                std::move(detail) + "; the kernel has device-mapper, euid " +
                    std::to_string(::geteuid())};
    return {no_device_mapper_reason, std::move(detail)};
}

Failure passphrase_failure(int error, bool token, const char *operation)
{
    std::string detail = std::string(operation) + ": " + errno_text(error);
    switch (-error) {
    case EPERM: // libcryptsetup: no keyslot opens with this passphrase
        return {token ? "the key from the smartcard does not open it"
                      : "the password does not open it",
                detail};
    case ENOENT: return {"it has no usable keyslot for a password", detail};
    case ENOTSUP: return {no_device_mapper_reason, detail};
    case EEXIST:
    case EBUSY: return {"its name is already used by another mapping", detail};
    case ENOMEM:
        return {"there is not enough memory to check the password (the key derivation "
                "needs more)",
                detail};
    default: return system_failure(error, operation);
    }
}

Failure system_failure(int error, const char *operation)
{
    std::string detail = std::string(operation) + ": " + errno_text(error);
    switch (-error) {
    case EACCES:
    case EPERM: return {"the system refused (permission denied)", detail};
    case ENOTSUP: return {no_device_mapper_reason, detail};
    case EIO: return {"its device could not be read (input/output error)", detail};
    default: return {"the system refused (" + lowercase_strerror(-error) + ")", detail};
    }
}

} // namespace rampart::storage::detail
