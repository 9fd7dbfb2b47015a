#include "token_fixture.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace rampart::test {

CommandResult run_command(const std::vector<std::string> &argv,
                          const std::map<std::string, std::string> &env)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        for (const auto &[key, value] : env)
            setenv(key.c_str(), value.c_str(), 1);
        std::vector<char *> args;
        for (const std::string &arg : argv)
            args.push_back(const_cast<char *>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    CommandResult result;
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0)
        result.output.append(buffer, static_cast<std::size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

namespace {

void must(const CommandResult &result, const std::string &what)
{
    if (result.status != 0)
        throw std::runtime_error(what + " failed: " + result.output);
}

struct CryptFree {
    void operator()(crypt_device *cd) const { crypt_free(cd); }
};

} // namespace

TokenLab::TokenLab()
{
    std::string pattern =
        (std::filesystem::temp_directory_path() / "rampart-token-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::filesystem::create_directory(token_dir());
    std::ofstream(dir_ / "softhsm2.conf") << "directories.tokendir = " << token_dir().string()
                                          << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
}

TokenLab::~TokenLab()
{
    for (const char *name :
         {"RAMPART_P11WRAP_COUNTER", "RAMPART_P11WRAP_MAX_TRIES", "RAMPART_P11WRAP_REMOVED",
          "RAMPART_P11WRAP_REMOVE_AT", "RAMPART_P11WRAP_MODULE", "RAMPART_P11WRAP_BROKEN",
          "RAMPART_P11WRAP_NO_LOGIN"})
        unsetenv(name);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::filesystem::path TokenLab::add_token(const std::string &label, const std::string &pin,
                                          int bits)
{
    const auto key = dir_ / (label + "-key.pem");
    const auto cert = dir_ / (label + "-cert.der");
    must(run_command({"softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin",
                      "so-" + pin, "--pin", pin}),
         "softhsm2-util --init-token");
    // OpenSSL 3 writes the key as unencrypted PKCS#8, which softhsm2-util imports.
    must(run_command({"openssl", "req", "-x509", "-newkey", "rsa:" + std::to_string(bits), "-nodes",
                      "-keyout", key.string(), "-subj", "/CN=" + label, "-days", "3650", "-outform",
                      "DER", "-out", cert.string()}),
         "openssl req");
    must(run_command({"softhsm2-util", "--import", key.string(), "--token", label, "--label", "key",
                      "--id", "01", "--pin", pin}),
         "softhsm2-util --import");
    // systemd-cryptenroll encrypts to the certificate's public key, so the token needs one.
    must(run_command({"pkcs11-tool", "--module", softhsm_module, "--token-label", label, "--login",
                      "--pin", pin, "--write-object", cert.string(), "--type", "cert", "--id", "01",
                      "--label", "key"}),
         "pkcs11-tool --write-object");
    return key;
}

std::filesystem::path TokenLab::make_volume(const std::string &name, const std::string &password)
{
    const auto image = dir_ / (name + ".img");
    { // sparse: the LUKS2 header is all that is ever written
        std::ofstream file(image);
    }
    std::filesystem::resize_file(image, 20 * 1024 * 1024);
    crypt_device *raw = nullptr;
    if (crypt_init(&raw, image.c_str()) < 0)
        throw std::runtime_error("crypt_init failed");
    std::unique_ptr<crypt_device, CryptFree> cd(raw);
    crypt_pbkdf_type pbkdf{};
    pbkdf.type = CRYPT_KDF_PBKDF2;
    pbkdf.hash = "sha256";
    pbkdf.iterations = 1000;
    pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
    crypt_params_luks2 params{};
    params.pbkdf = &pbkdf;
    params.sector_size = 512;
    if (crypt_format(cd.get(), CRYPT_LUKS2, "aes", "xts-plain64", nullptr, nullptr, 64, &params) <
        0)
        throw std::runtime_error("crypt_format failed");
    if (crypt_keyslot_add_by_volume_key(cd.get(), CRYPT_ANY_SLOT, nullptr, 0, password.data(),
                                        password.size()) < 0)
        throw std::runtime_error("crypt_keyslot_add_by_volume_key failed");
    return image;
}

CommandResult TokenLab::enroll(const std::filesystem::path &image, const std::string &uri,
                               const std::string &password, const std::string &pin)
{
    return run_command({"systemd-cryptenroll", "--pkcs11-token-uri=" + uri, image.string()},
                       {{"PASSWORD", password}, {"PIN", pin}});
}

std::string TokenLab::use_wrapper(int max_tries)
{
    const char *wrapper = std::getenv("RAMPART_TEST_P11WRAP");
    if (!wrapper)
        throw std::runtime_error("RAMPART_TEST_P11WRAP is not set (run through meson test)");
    setenv("RAMPART_P11WRAP_MODULE", softhsm_module, 1);
    setenv("RAMPART_P11WRAP_COUNTER", counter_file().c_str(), 1);
    setenv("RAMPART_P11WRAP_MAX_TRIES", std::to_string(max_tries).c_str(), 1);
    setenv("RAMPART_P11WRAP_REMOVED", removed_file().c_str(), 1);
    setenv("RAMPART_P11WRAP_BROKEN", broken_file().c_str(), 1);
    unsetenv("RAMPART_P11WRAP_REMOVE_AT");
    return wrapper;
}

} // namespace rampart::test
