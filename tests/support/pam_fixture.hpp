// Real PAM for tests: pam_wrapper (LD_PRELOAD'ed into the broker we start) reads the PAM
// service `rampart` from a private directory, whose stack uses pam_matrix (a password file
// of our own) and tests/pam's module. The environment is set for child processes while the
// fixture lives and restored after.
#pragma once

#include "support/pam_service.hpp"

#include <span>
#include <string>
#include <vector>

namespace rampart::test {

class PamFixture {
public:
    // `stack`: PAM service lines, as for PamServiceFiles.
    PamFixture(std::span<const char> password, const std::string &stack);
    ~PamFixture();
    PamFixture(const PamFixture &) = delete;
    PamFixture &operator=(const PamFixture &) = delete;

    // Replaces the service's stack (the next PAM transaction reads it).
    void set_stack(const std::string &stack) { files_.set_stack(stack); }
    const std::string &service_dir() const { return files_.service_dir(); }

    // The usual stacks.
    static const std::string matrix_stack; // auth + account through pam_matrix

private:
    PamServiceFiles files_;
    std::vector<std::pair<std::string, std::string>> saved_env_; // name, value ("\1" unset)
};

} // namespace rampart::test
