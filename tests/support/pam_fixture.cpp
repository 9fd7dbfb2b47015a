#include "support/pam_fixture.hpp"

#include <cstdlib>

namespace rampart::test {

namespace {
constexpr const char *unset_marker = "\1";
} // namespace

const std::string PamFixture::matrix_stack = "auth required @MATRIX@\naccount required @MATRIX@\n";

PamFixture::PamFixture(std::span<const char> password, const std::string &stack)
    : files_(password, stack)
{
    for (auto &[name, value] : pam_wrapper_environment(files_.service_dir())) {
        const char *old = getenv(name.c_str());
        saved_env_.push_back({name, old ? old : unset_marker});
        setenv(name.c_str(), value.c_str(), 1);
    }
}

PamFixture::~PamFixture()
{
    for (auto it = saved_env_.rbegin(); it != saved_env_.rend(); ++it) {
        if (it->second == unset_marker)
            unsetenv(it->first.c_str());
        else
            setenv(it->first.c_str(), it->second.c_str(), 1);
    }
}

} // namespace rampart::test
