// Internal: the file systems mounted from a device-mapper mapping, to sync them before the
// mapping is suspended (afterwards their writes would wait until unlock).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::storage::detail {

struct MountEntry {
    dev_t device = 0;        // field 3, major:minor (btrfs shows an anonymous one here)
    std::string mount_point; // unescaped (\040 is a space)
    std::string source;      // the mount source after " - fstype ", unescaped
};
// Parses /proc/<pid>/mountinfo text; malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// The mount points of `entries` whose device is in `devices`, or whose source (a path under
// /dev) is a block device in `devices` per `source_device`; one per device (syncfs syncs a
// whole file system, so one mount point of each is enough).
std::vector<std::string> mounts_of(const std::vector<MountEntry> &entries,
                                   const std::vector<dev_t> &devices,
                                   const std::function<dev_t(const std::string &)> &source_device);

// The device number of the mapping `name` (from /sys/block/dm-*/dm/name), 0 if none.
dev_t mapping_device(const std::string &name);
// `device` and every block device stacked on it (holders, recursively: LVM on LUKS, ...).
std::vector<dev_t> stacked_devices(dev_t device);

struct SyncReport {
    std::vector<std::string> synced; // mount points
    std::vector<std::string> errors; // "path: errno text"
};
// syncfs() on each file system mounted (in this process's mount namespace) from the mapping
// `name` or from devices stacked on it.
SyncReport sync_mapping(const std::string &name);

} // namespace rampart::storage::detail
