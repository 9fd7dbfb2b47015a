// Memory for secrets (what the user types at the lock screen, PINs, PAM answers): a fixed
// capacity allocated once, locked in RAM (never swapped), never copied or reallocated, and
// wiped when cleared or destroyed. Pure: used by both rampart and rampart-authd.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace rampart::secure {

// Overwrites `size` bytes at `data` in a way the compiler may not drop.
void wipe(void *data, std::size_t size);

class SecretBuffer {
public:
    static constexpr std::size_t default_capacity = 1024;

    explicit SecretBuffer(std::size_t capacity = default_capacity);
    ~SecretBuffer(); // wipes, unlocks, frees
    SecretBuffer(const SecretBuffer &) = delete;
    SecretBuffer &operator=(const SecretBuffer &) = delete;
    SecretBuffer(SecretBuffer &&) = delete;
    SecretBuffer &operator=(SecretBuffer &&) = delete;

    // Appends bytes; false (and nothing appended) when they would not fit.
    bool append(std::span<const char> bytes);
    bool append(std::string_view text) { return append(std::span(text.data(), text.size())); }
    // Removes the last UTF-8 code point (a backspace); no-op when empty.
    void pop_codepoint();
    void clear(); // wipes the used part, size() == 0
    // Sets the size after a caller wrote into data() directly (e.g. read()); clamps to capacity.
    void resize(std::size_t size);

    char *data() { return data_; }
    const char *data() const { return data_; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    bool empty() const { return size_ == 0; }
    std::size_t codepoints() const; // UTF-8 code points in the used part
    std::span<const char> view() const { return {data_, size_}; }
    // True when mlock succeeded (it can fail under RLIMIT_MEMLOCK; the buffer still wipes).
    bool locked() const { return locked_; }

private:
    char *data_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;
    bool locked_ = false;
};

} // namespace rampart::secure
