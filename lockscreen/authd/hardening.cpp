#include "hardening.hpp"

#include "secret_buffer.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

namespace rampart::authd {

void harden_process()
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[gnu::noinline]] void scrub_stack()
{
    char below_caller[32 * 1024];
    secure::wipe(below_caller, sizeof below_caller);
}

void close_inherited_fds(int keep)
{
    const unsigned first = STDERR_FILENO + 1;
    if (keep < static_cast<int>(first)) {
        close_range(first, ~0U, 0);
        return;
    }
    const auto kept = static_cast<unsigned>(keep);
    if (kept > first)
        close_range(first, kept - 1, 0);
    close_range(kept + 1, ~0U, 0);
}

} // namespace rampart::authd
