// Real LUKS2 image files for the storage tests, made with libcryptsetup itself: pbkdf2 with
// a forced small iteration count, so a passphrase check takes milliseconds.
#pragma once

#include <string>
#include <string_view>

namespace rampart::storage::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

private:
    std::string path_;
};

inline constexpr std::size_t image_size = 32u << 20; // LUKS2 metadata takes 16 MiB

// Formats `path` (created sparse when absent) as LUKS2 with one keyslot for `passphrase`.
void format_luks2(const std::string &path, std::string_view passphrase);
// The same in the old LUKS1 format (which Rampart refuses).
void format_luks1(const std::string &path, std::string_view passphrase);
// Adds a keyslot for `added`, authorized by `existing`; returns the keyslot number.
int add_keyslot(const std::string &path, std::string_view existing, std::string_view added);
// Stores token JSON; returns the token id. libcryptsetup validates it, and so does an
// installed token plugin for its type (systemd's, for systemd-pkcs11).
int add_token(const std::string &path, const std::string &json);
// The same without plugin validation (through the token-set helper, $STORAGE_TOKEN_SET, which
// disables token plugins): how a malformed token of a known type gets onto a disk.
int add_token_unvalidated(const std::string &path, const std::string &json);
// Overwrites `count` bytes at `offset` with a pattern.
void scribble(const std::string &path, long offset, std::size_t count);
// A sparse file of `size` zero bytes.
void make_plain_file(const std::string &path, std::size_t size);

} // namespace rampart::storage::test
