#include "hardening.hpp"

#include "secret_buffer.hpp"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <string_view>
#include <vector>

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

namespace {

bool close_with_close_range(int keep)
{
    const unsigned first = STDERR_FILENO + 1;
    if (keep < static_cast<int>(first))
        return close_range(first, ~0U, 0) == 0;
    const auto kept = static_cast<unsigned>(keep);
    if (kept > first && close_range(first, kept - 1, 0) != 0)
        return false;
    return close_range(kept + 1, ~0U, 0) == 0;
}

// The fallback: every descriptor the kernel lists, collected first (closing while reading
// the directory could skip entries), then closed.
bool close_from_proc(int keep)
{
    DIR *directory = opendir("/proc/self/fd");
    if (!directory)
        return false;
    const int own = dirfd(directory);
    std::vector<int> open_fds;
    errno = 0;
    while (const dirent *entry = readdir(directory)) {
        int fd = -1;
        const std::string_view name = entry->d_name;
        const auto parsed = std::from_chars(name.data(), name.data() + name.size(), fd);
        if (parsed.ec != std::errc() || parsed.ptr != name.data() + name.size())
            continue; // "." and ".."
        if (fd > STDERR_FILENO && fd != keep && fd != own)
            open_fds.push_back(fd);
    }
    const bool listed = errno == 0;
    closedir(directory);
    if (!listed)
        return false;
    for (const int fd : open_fds)
        close(fd); // even EINTR leaves it closed on Linux
    return true;
}

} // namespace

bool close_inherited_fds(int keep)
{
    return close_with_close_range(keep) || close_from_proc(keep);
}

} // namespace rampart::authd
