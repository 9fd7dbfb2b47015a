#include "support/memory_scan.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace rampart::test {

MemoryScan scan_process_memory(pid_t pid, std::span<const char> needle,
                               std::uintptr_t exclude_begin, std::uintptr_t exclude_end)
{
    MemoryScan scan;
    std::string base = "/proc/" + std::to_string(pid);
    std::ifstream maps(base + "/maps");
    int mem = open((base + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (!maps || mem < 0) {
        scan.error = "cannot open " + base + "/mem: " + std::strerror(errno);
        if (mem >= 0)
            close(mem);
        return scan;
    }
    std::string line;
    std::vector<char> chunk;
    std::string_view wanted(needle.data(), needle.size());
    while (std::getline(maps, line)) {
        std::istringstream fields(line);
        std::string range, perms, offset, device, inode, path;
        fields >> range >> perms >> offset >> device >> inode;
        std::getline(fields, path);
        if (perms.empty() || perms[0] != 'r' || path.find("[vvar]") != std::string::npos ||
            path.find("[vsyscall]") != std::string::npos)
            continue;
        auto dash = range.find('-');
        std::uintptr_t begin = std::stoull(range.substr(0, dash), nullptr, 16);
        std::uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
        // Reservations of a gigabyte or more are address space, not data (ASan's shadow);
        // reading them would take hours. Counted, so a test can say what it did not read.
        if (end - begin >= (std::uintptr_t(1) << 30)) {
            ++scan.skipped_huge;
            continue;
        }
        // In 1 MiB pieces, each overlapping the last by the needle's length less one.
        const std::size_t piece = 1 << 20, overlap = wanted.size() > 0 ? wanted.size() - 1 : 0;
        chunk.resize(piece + overlap);
        for (std::uintptr_t at = begin; at < end; at += piece) {
            std::size_t length = std::min<std::uintptr_t>(piece + overlap, end - at);
            ssize_t got = pread(mem, chunk.data(), length, static_cast<off_t>(at));
            if (got <= 0)
                continue;
            scan.readable = true; // (ASan's allocator has no [heap]: any data mapping counts)
            scan.bytes_read += static_cast<std::size_t>(got);
            std::string_view region(chunk.data(), static_cast<std::size_t>(got));
            for (std::size_t hit = region.find(wanted); hit != std::string_view::npos;
                 hit = region.find(wanted, hit + 1)) {
                std::uintptr_t address = at + hit;
                if (hit >= piece || (address >= exclude_begin && address < exclude_end))
                    continue; // the overlap is counted by the next piece
                ++scan.matches;
            }
        }
    }
    std::fill(chunk.begin(), chunk.end(), 0);
    close(mem);
    return scan;
}

SecretPage::SecretPage(std::size_t length) : length_(length)
{
    page_size_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    if (length >= page_size_)
        throw std::runtime_error("SecretPage: too long");
    void *page =
        mmap(nullptr, page_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        throw std::runtime_error("SecretPage: mmap failed");
    data_ = static_cast<char *>(page);
    mlock(data_, page_size_);
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::random_device random;
    for (std::size_t i = 0; i < length_; ++i)
        data_[i] = alphabet[random() % (sizeof alphabet - 1)];
}

SecretPage::~SecretPage()
{
    explicit_bzero(data_, page_size_);
    munmap(data_, page_size_);
}

} // namespace rampart::test
