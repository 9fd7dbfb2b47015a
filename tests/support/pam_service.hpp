// A private PAM service directory for pam_wrapper, shared by the in-process fixture
// (pam_fixture.hpp) and the broker harness (tests/authd): the service `rampart` and
// pam_matrix's password file beside it.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

namespace rampart::test {

inline constexpr const char *pam_wrapper_library = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so";
inline constexpr const char *pam_matrix_module =
    "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so";

// The user the broker authenticates (the one running the tests).
std::string current_user_name();
// True when this binary was built with AddressSanitizer (pam_wrapper then needs care).
bool built_with_asan();

// The environment a process needs to run PAM through pam_wrapper with `service_dir`
// (LD_PRELOAD first; under ASan also the variables that let the preload and ASan coexist).
std::vector<std::pair<std::string, std::string>>
pam_wrapper_environment(const std::string &service_dir);

class PamServiceFiles {
public:
    // `stack`: the service's lines; "@MATRIX@" becomes pam_matrix with our password file,
    // "@TEST@" the path of pam_rampart_test.so ($RAMPART_TEST_PAM_MODULE) and "@DIR@"
    // data_dir(). The password file ("user:password:rampart") is written with write(2)
    // straight from `password`, so nothing here keeps a copy of it.
    PamServiceFiles(std::span<const char> password, const std::string &stack);
    ~PamServiceFiles(); // removes it all
    PamServiceFiles(const PamServiceFiles &) = delete;
    PamServiceFiles &operator=(const PamServiceFiles &) = delete;

    // Replaces the stack (the next PAM transaction reads it).
    void set_stack(const std::string &stack);
    const std::string &service_dir() const { return service_dir_; } // PAM_WRAPPER_SERVICE_DIR
    const std::string &data_dir() const
    {
        return root_;
    } // beside it: pam_wrapper copies the
      // service dir, not this

private:
    std::string root_, service_dir_, passdb_;
};

} // namespace rampart::test
