#include "storage/mounts.hpp"

#include "storage/crypt.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace rampart::storage::detail {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string unescape(std::string_view field)
{
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            auto octal = [](char c) { return c >= '0' && c <= '7'; };
            if (octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
                out += static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                                         (field[i + 3] - '0'));
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

std::vector<std::string_view> split_fields(std::string_view line)
{
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (start < line.size()) {
        std::size_t end = line.find(' ', start);
        if (end == std::string_view::npos)
            end = line.size();
        if (end > start)
            fields.push_back(line.substr(start, end - start));
        start = end + 1;
    }
    return fields;
}

std::string read_small_file(const std::string &path)
{
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    return text;
}

dev_t parse_devno(std::string_view text)
{
    unsigned major_number = 0, minor_number = 0;
    std::string copy(text);
    if (std::sscanf(copy.c_str(), "%u:%u", &major_number, &minor_number) != 2)
        return 0;
    return makedev(major_number, minor_number);
}

std::string devno_path(dev_t device)
{
    return "/sys/dev/block/" + std::to_string(major(device)) + ":" + std::to_string(minor(device));
}

void add_stacked(dev_t device, std::vector<dev_t> &out, int depth)
{
    if (device == 0 || depth > 8 || std::find(out.begin(), out.end(), device) != out.end())
        return;
    out.push_back(device);
    std::string holders = devno_path(device) + "/holders";
    DIR *dir = ::opendir(holders.c_str());
    if (!dir)
        return;
    while (dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        dev_t holder = parse_devno(read_small_file(holders + "/" + entry->d_name + "/dev"));
        add_stacked(holder, out, depth + 1);
    }
    ::closedir(dir);
}

dev_t block_device_of(const std::string &source)
{
    if (source.rfind("/dev/", 0) != 0)
        return 0;
    struct stat info {};
    if (::stat(source.c_str(), &info) != 0 || !S_ISBLK(info.st_mode))
        return 0;
    return info.st_rdev;
}

} // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text)
{
    std::vector<MountEntry> entries;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::vector<std::string_view> fields = split_fields(text.substr(start, end - start));
        start = end + 1;
        // id parent major:minor root mount-point options [optional...] - fstype source super
        auto separator = std::find(fields.begin(), fields.end(), std::string_view("-"));
        if (fields.size() < 6 || separator == fields.end() || separator - fields.begin() < 6 ||
            fields.end() - separator < 3)
            continue;
        MountEntry entry;
        entry.device = parse_devno(fields[2]);
        entry.mount_point = unescape(fields[4]);
        entry.source = unescape(*(separator + 2));
        if (entry.mount_point.empty() || entry.mount_point.front() != '/')
            continue;
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::vector<std::string> mounts_of(const std::vector<MountEntry> &entries,
                                   const std::vector<dev_t> &devices,
                                   const std::function<dev_t(const std::string &)> &source_device)
{
    auto wanted = [&](dev_t device) {
        return device != 0 && std::find(devices.begin(), devices.end(), device) != devices.end();
    };
    std::vector<std::string> points;
    std::vector<dev_t> seen; // field 3 names the file system: one mount point each
    for (const MountEntry &entry : entries) {
        // The source path catches btrfs, whose field 3 is an anonymous device per subvolume.
        if (!wanted(entry.device) && !wanted(source_device(entry.source)))
            continue;
        if (std::find(seen.begin(), seen.end(), entry.device) != seen.end())
            continue;
        seen.push_back(entry.device);
        points.push_back(entry.mount_point);
    }
    return points;
}

dev_t mapping_device(const std::string &name)
{
    DIR *dir = ::opendir("/sys/block");
    if (!dir)
        return 0;
    dev_t found = 0;
    while (dirent *entry = ::readdir(dir)) {
        std::string block = entry->d_name;
        if (block.rfind("dm-", 0) != 0)
            continue;
        if (read_small_file("/sys/block/" + block + "/dm/name") == name) {
            found = parse_devno(read_small_file("/sys/block/" + block + "/dev"));
            break;
        }
    }
    ::closedir(dir);
    return found;
}

std::vector<dev_t> stacked_devices(dev_t device)
{
    std::vector<dev_t> out;
    add_stacked(device, out, 0);
    return out;
}

SyncReport sync_mapping(const std::string &name)
{
    SyncReport report;
    dev_t device = mapping_device(name);
    if (device == 0)
        return report;
    std::ifstream in("/proc/self/mountinfo");
    std::stringstream text;
    text << in.rdbuf();
    std::vector<std::string> points =
        mounts_of(parse_mountinfo(text.str()), stacked_devices(device), block_device_of);
    for (const std::string &point : points) {
        // A directory (a bind-mounted file would have to be opened; the file system it
        // comes from is mounted elsewhere too). O_NOFOLLOW: do not sync where a link leads.
        int fd = ::open(point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || ::syncfs(fd) != 0)
            report.errors.push_back(point + ": " + errno_text(errno));
        else
            report.synced.push_back(point);
        if (fd >= 0)
            ::close(fd);
    }
    return report;
}

} // namespace rampart::storage::detail
