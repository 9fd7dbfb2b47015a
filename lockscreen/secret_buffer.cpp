#include "secret_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace rampart::secure {
namespace {

bool is_continuation(char byte)
{
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

// The length a UTF-8 lead byte announces; 0 for a byte that cannot start a sequence.
std::size_t sequence_length(char byte)
{
    const auto value = static_cast<unsigned char>(byte);
    if (value < 0x80)
        return 1;
    if (value >= 0xC2 && value <= 0xDF)
        return 2;
    if (value >= 0xE0 && value <= 0xEF)
        return 3;
    if (value >= 0xF0 && value <= 0xF4)
        return 4;
    return 0;
}

std::size_t page_rounded(std::size_t size)
{
    const long page = sysconf(_SC_PAGESIZE);
    const std::size_t page_size = page > 0 ? static_cast<std::size_t>(page) : 4096;
    return (std::max<std::size_t>(size, 1) + page_size - 1) / page_size * page_size;
}

} // namespace

void wipe(void *data, std::size_t size)
{
    if (data && size > 0)
        explicit_bzero(data, size);
}

SecretBuffer::SecretBuffer(std::size_t capacity) : capacity_(capacity)
{
    // Whole pages of our own: mlock and madvise work on pages, and no other object shares
    // them (so nothing else's lifetime can copy or swap them out).
    const std::size_t mapped = page_rounded(capacity_);
    void *pages = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED)
        throw std::bad_alloc();
    data_ = static_cast<char *>(pages);
    locked_ = mlock(data_, mapped) == 0;
    // Keep secrets out of core dumps, and out of children forked while they are held
    // (a forked child sees zeroed pages instead of a copy of the secret).
    madvise(data_, mapped, MADV_DONTDUMP);
    madvise(data_, mapped, MADV_WIPEONFORK);
}

SecretBuffer::~SecretBuffer()
{
    const std::size_t mapped = page_rounded(capacity_);
    wipe(data_, mapped);
    if (locked_)
        munlock(data_, mapped);
    munmap(data_, mapped);
}

bool SecretBuffer::append(std::span<const char> bytes)
{
    if (bytes.size() > capacity_ - size_)
        return false;
    if (!bytes.empty())
        std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
    return true;
}

void SecretBuffer::pop_codepoint()
{
    if (size_ == 0)
        return;
    std::size_t start = size_ - 1;
    while (start > 0 && is_continuation(data_[start]) && size_ - start < 4)
        --start;
    // A well-formed last code point goes as a whole; a stray byte of broken UTF-8 goes alone.
    if (sequence_length(data_[start]) != size_ - start)
        start = size_ - 1;
    resize(start);
}

void SecretBuffer::clear()
{
    wipe(data_, size_);
    size_ = 0;
}

void SecretBuffer::resize(std::size_t size)
{
    size = std::min(size, capacity_);
    if (size < size_)
        wipe(data_ + size, size_ - size);
    size_ = size;
}

std::size_t SecretBuffer::codepoints() const
{
    return static_cast<std::size_t>(
        std::count_if(data_, data_ + size_, [](char byte) { return !is_continuation(byte); }));
}

} // namespace rampart::secure
