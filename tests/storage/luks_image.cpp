#include "luks_image.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

namespace rampart::storage::test {

namespace {

struct CryptFree {
    void operator()(crypt_device *cd) const { crypt_free(cd); }
};
using Device = std::unique_ptr<crypt_device, CryptFree>;

void check(int result, const char *what)
{
    if (result < 0)
        throw std::runtime_error(std::string(what) + " failed: " + std::to_string(result));
}

void fast_pbkdf(crypt_device *cd)
{
    crypt_pbkdf_type pbkdf{};
    pbkdf.type = CRYPT_KDF_PBKDF2;
    pbkdf.hash = "sha256";
    pbkdf.iterations = 1000;
    pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
    check(crypt_set_pbkdf_type(cd, &pbkdf), "crypt_set_pbkdf_type");
}

Device load(const std::string &path)
{
    crypt_device *raw = nullptr;
    check(crypt_init(&raw, path.c_str()), "crypt_init");
    Device cd(raw);
    check(crypt_load(cd.get(), CRYPT_LUKS2, nullptr), "crypt_load");
    return cd;
}

} // namespace

TempDir::TempDir()
{
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/rampart-storage-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

void make_plain_file(const std::string &path, std::size_t size)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0)
        throw std::runtime_error("cannot create " + path);
    ::close(fd);
}

namespace {
void format(const std::string &path, std::string_view passphrase, const char *type)
{
    if (!std::filesystem::exists(path))
        make_plain_file(path, image_size);
    crypt_device *raw = nullptr;
    check(crypt_init(&raw, path.c_str()), "crypt_init");
    Device cd(raw);
    fast_pbkdf(cd.get());
    crypt_params_luks2 params{};
    params.sector_size = 512;
    bool luks2 = std::string_view(type) == CRYPT_LUKS2;
    check(crypt_format(cd.get(), type, "aes", "xts-plain64", nullptr, nullptr, 64,
                       luks2 ? &params : nullptr),
          "crypt_format");
    check(crypt_keyslot_add_by_volume_key(cd.get(), CRYPT_ANY_SLOT, nullptr, 0, passphrase.data(),
                                          passphrase.size()),
          "crypt_keyslot_add_by_volume_key");
}

} // namespace

void format_luks2(const std::string &path, std::string_view passphrase)
{
    format(path, passphrase, CRYPT_LUKS2);
}

void format_luks1(const std::string &path, std::string_view passphrase)
{
    format(path, passphrase, CRYPT_LUKS1);
}

int add_keyslot(const std::string &path, std::string_view existing, std::string_view added)
{
    Device cd = load(path);
    fast_pbkdf(cd.get());
    int slot = crypt_keyslot_add_by_passphrase(cd.get(), CRYPT_ANY_SLOT, existing.data(),
                                               existing.size(), added.data(), added.size());
    check(slot, "crypt_keyslot_add_by_passphrase");
    return slot;
}

int add_token(const std::string &path, const std::string &json)
{
    Device cd = load(path);
    int token = crypt_token_json_set(cd.get(), CRYPT_ANY_TOKEN, json.c_str());
    check(token, "crypt_token_json_set");
    return token;
}

int add_token_unvalidated(const std::string &path, const std::string &json)
{
    // Another process: once a plugin is loaded, this one cannot disable plugins any more.
    const char *helper = std::getenv("STORAGE_TOKEN_SET");
    if (!helper)
        throw std::runtime_error("STORAGE_TOKEN_SET (the token-set helper) is not set");
    pid_t child = ::fork();
    if (child < 0)
        throw std::runtime_error("fork failed");
    if (child == 0) {
        ::execl(helper, helper, path.c_str(), json.c_str(), static_cast<char *>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) >= 32)
        throw std::runtime_error("token-set failed for " + json);
    return WEXITSTATUS(status);
}

void scribble(const std::string &path, long offset, std::size_t count)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    std::vector<char> junk(count, '\x5a');
    if (fd < 0 || ::pwrite(fd, junk.data(), junk.size(), offset) != static_cast<ssize_t>(count))
        throw std::runtime_error("cannot write " + path);
    ::close(fd);
}

} // namespace rampart::storage::test
