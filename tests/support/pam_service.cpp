#include "support/pam_service.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rampart::test {

namespace {
std::string replace_all(std::string text, const std::string &from, const std::string &to)
{
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}
} // namespace

std::string current_user_name()
{
    passwd *entry = getpwuid(getuid());
    return entry ? entry->pw_name : std::to_string(getuid());
}

bool built_with_asan()
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

std::vector<std::pair<std::string, std::string>>
pam_wrapper_environment(const std::string &service_dir)
{
    std::vector<std::pair<std::string, std::string>> wanted = {
        {"LD_PRELOAD", pam_wrapper_library},
        {"PAM_WRAPPER", "1"},
        {"PAM_WRAPPER_SERVICE_DIR", service_dir}};
    if (built_with_asan()) {
        // pam_wrapper's RTLD_DEEPBIND and ASan's link-order check both fight the preload.
        const char *asan = getenv("ASAN_OPTIONS");
        wanted.push_back({"PAM_WRAPPER_DISABLE_DEEPBIND", "1"});
        // pam_wrapper 1.1.4 reads the variable under this (misspelt) name.
        wanted.push_back({"UID_WRAPPER_DISABLE_DEEPBIND", "1"});
        wanted.push_back({"ASAN_OPTIONS", std::string(asan ? asan : "") + (asan ? ":" : "") +
                                              "verify_asan_link_order=0"});
    }
    return wanted;
}

PamServiceFiles::PamServiceFiles(std::span<const char> password, const std::string &stack)
{
    char pattern[] = "/tmp/rampart-pam-XXXXXX";
    if (!mkdtemp(pattern))
        throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    // Others may enter (an unprivileged broker in the SO_PEERCRED tests); the password file
    // stays the test user's own.
    std::filesystem::permissions(
        root_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                   std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                   std::filesystem::perms::others_exec);
    service_dir_ = root_ + "/services";
    std::filesystem::create_directory(service_dir_);
    passdb_ = root_ + "/passdb";
    int fd = open(passdb_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string head = current_user_name() + ":", tail = ":rampart\n";
    bool written = fd >= 0 && write(fd, head.data(), head.size()) == ssize_t(head.size()) &&
                   write(fd, password.data(), password.size()) == ssize_t(password.size()) &&
                   write(fd, tail.data(), tail.size()) == ssize_t(tail.size());
    if (fd >= 0)
        close(fd);
    if (!written)
        throw std::runtime_error("cannot write the pam_matrix password file");
    set_stack(stack);
}

PamServiceFiles::~PamServiceFiles()
{
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

void PamServiceFiles::set_stack(const std::string &stack)
{
    const char *module = getenv("RAMPART_TEST_PAM_MODULE");
    std::string lines =
        replace_all(stack, "@MATRIX@", std::string(pam_matrix_module) + " passdb=" + passdb_);
    lines = replace_all(lines, "@TEST@", module ? module : "pam_rampart_test.so");
    lines = replace_all(lines, "@DIR@", root_);
    // Renamed into place: a PAM transaction reading it meanwhile sees the old or the new.
    std::string path = service_dir_ + "/rampart", temporary = path + ".new";
    std::ofstream(temporary) << lines;
    std::filesystem::rename(temporary, path);
}

} // namespace rampart::test
