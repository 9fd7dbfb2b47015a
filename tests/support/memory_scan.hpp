// Looks for a byte string in another process's memory (every readable mapping in
// /proc/PID/maps, read through /proc/PID/mem): "is the password still anywhere in there?"
// Reading a non-dumpable process needs root (CAP_SYS_PTRACE); the result says if it could.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <sys/types.h>

namespace rampart::test {

struct MemoryScan {
    bool readable = false;   // some of its memory could be read at all
    std::size_t matches = 0; // occurrences outside the excluded range
    std::size_t bytes_read = 0;
    std::size_t skipped_huge = 0; // mappings of 1 GiB or more, not read (ASan's shadow)
    std::string error;
};

// `exclude`: an address range of the scanned process not to count (the test's own copy of
// the needle when scanning itself).
MemoryScan scan_process_memory(pid_t pid, std::span<const char> needle,
                               std::uintptr_t exclude_begin = 0, std::uintptr_t exclude_end = 0);

// A page of its own (mmap'd, locked, wiped at the end) to hold a test secret, so the scan of
// this process can exclude exactly that copy.
class SecretPage {
public:
    explicit SecretPage(std::size_t length); // random printable letters and digits
    ~SecretPage();
    SecretPage(const SecretPage &) = delete;
    SecretPage &operator=(const SecretPage &) = delete;
    std::span<const char> view() const { return {data_, length_}; }
    std::string_view text() const { return {data_, length_}; }
    std::uintptr_t begin() const { return reinterpret_cast<std::uintptr_t>(data_); }
    std::uintptr_t end() const { return begin() + page_size_; }

private:
    char *data_ = nullptr;
    std::size_t length_ = 0, page_size_ = 0;
};

} // namespace rampart::test
