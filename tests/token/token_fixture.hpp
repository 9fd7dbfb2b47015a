// Real SoftHSM2 tokens and real LUKS2 image files for the token suite: a private
// SOFTHSM2_CONF and token directory per test, RSA keys with self-signed certificates made by
// openssl and put on the token by softhsm2-util and pkcs11-tool, images formatted by
// libcryptsetup (pbkdf2, forced iterations) and enrolled by the real systemd-cryptenroll.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rampart::test {

struct CommandResult {
    int status = -1;    // exit code, or -1
    std::string output; // stdout and stderr
};
// Runs argv with `env` added to the environment.
CommandResult run_command(const std::vector<std::string> &argv,
                          const std::map<std::string, std::string> &env = {});

inline constexpr const char *softhsm_module = "/usr/lib/softhsm/libsofthsm2.so";

class TokenLab {
public:
    // Creates the directory and points SOFTHSM2_CONF (this process's) at it.
    TokenLab();
    ~TokenLab(); // removes it all, unsets the wrapper's variables
    TokenLab(const TokenLab &) = delete;
    TokenLab &operator=(const TokenLab &) = delete;

    const std::filesystem::path &dir() const { return dir_; }
    // An initialised token holding an RSA key pair and its certificate (id 01, label "key").
    // Returns the PEM private key's path (kept for independent checks with openssl).
    std::filesystem::path add_token(const std::string &label, const std::string &pin,
                                    int bits = 2048);
    // A LUKS2 image with `password` in keyslot 0.
    std::filesystem::path make_volume(const std::string &name, const std::string &password);
    // systemd-cryptenroll --pkcs11-token-uri=`uri` on the image, PASSWORD and PIN from the
    // environment, as an administrator would run it.
    CommandResult enroll(const std::filesystem::path &image, const std::string &uri,
                         const std::string &password, const std::string &pin);
    // The wrapper module (tests/pkcs11) with its retry counter and removal file in dir().
    std::string use_wrapper(int max_tries = 3);
    std::filesystem::path removed_file() const { return dir_ / "card-removed"; }
    // Its existence makes the wrapper's C_Initialize fail (the reader service is gone).
    std::filesystem::path broken_file() const { return dir_ / "module-broken"; }
    std::filesystem::path counter_file() const { return dir_ / "pin-tries-left"; }
    std::filesystem::path token_dir() const { return dir_ / "tokens"; }

private:
    std::filesystem::path dir_;
};

} // namespace rampart::test
