// An environment variable set (or unset) for a test's scope, and restored after.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace rampart::test {

class ScopedEnv {
public:
    // `value` nullptr: unset while the object lives.
    ScopedEnv(std::string name, const char *value) : name_(std::move(name))
    {
        if (const char *old = std::getenv(name_.c_str()))
            old_ = old;
        value ? setenv(name_.c_str(), value, 1) : unsetenv(name_.c_str());
    }
    ~ScopedEnv() { old_ ? setenv(name_.c_str(), old_->c_str(), 1) : unsetenv(name_.c_str()); }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

} // namespace rampart::test
