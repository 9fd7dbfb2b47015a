// Real PAM for tests: pam_wrapper (LD_PRELOAD'ed into the broker we start) reads the PAM
// service `rampart` from a private directory, whose stack uses pam_matrix (a password file
// of our own) and tests/pam's module. The environment is set for child processes while the
// fixture lives and restored after.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace rampart::test {

// The user the broker authenticates (the one running the tests).
std::string current_user_name();

class PamFixture {
public:
    // `stack`: PAM service lines; "@MATRIX@" becomes pam_matrix with our password file and
    // "@TEST@" the path of pam_rampart_test.so. The password is written with write(2) straight
    // from `password`, so the fixture keeps no copy of it.
    PamFixture(std::span<const char> password, const std::string &stack);
    ~PamFixture();
    PamFixture(const PamFixture &) = delete;
    PamFixture &operator=(const PamFixture &) = delete;

    // Replaces the service's stack (the next PAM transaction reads it).
    void set_stack(const std::string &stack);
    const std::string &service_dir() const { return service_dir_; }

    // The usual stacks.
    static const std::string matrix_stack; // auth + account through pam_matrix

private:
    std::string root_, service_dir_, passdb_;
    std::vector<std::pair<std::string, std::string>> saved_env_; // name, value ("\1" unset)
};

} // namespace rampart::test
