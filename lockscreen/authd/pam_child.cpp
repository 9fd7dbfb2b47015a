#include "pam_child.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <new>

namespace rampart::authd {

namespace {

// Shared with the child, so the parent learns PAM's failure delay even when it kills the
// check before the result (the delay is what a cancel would otherwise cut short).
FailDelayReport *map_delay_report()
{
    void *page = mmap(nullptr, sizeof(FailDelayReport), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return nullptr;
    return new (page) FailDelayReport(0);
}

void unmap_delay_report(FailDelayReport *report)
{
    if (report)
        munmap(report, sizeof(FailDelayReport));
}

} // namespace

std::unique_ptr<PamChild> PamChild::spawn(const CheckRequest &request, int close_in_child)
{
    FailDelayReport *report = map_delay_report();
    if (!report)
        return nullptr;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        unmap_delay_report(report);
        return nullptr;
    }
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        close(pair[0]);
        close(pair[1]);
        unmap_delay_report(report);
        return nullptr;
    }
    if (pid == 0) {
        // _exit, never exit: the parent's atexit handlers and destructors (pam_wrapper's
        // among them) must not run here.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
            _exit(1);
        prctl(PR_SET_NAME, "rampart-authd-pam", 0, 0, 0);
        setpgid(0, 0); // its own group, so helpers a module starts die with it
        close(close_in_child);
        close(pair[0]);
        try {
            run_pam_check(request, pair[1], report);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    setpgid(pid, pid); // set from both sides: whichever runs first wins the race
    close(pair[1]);
    return std::make_unique<PamChild>(Forked{}, pid, pair[0], report);
}

PamChild::~PamChild()
{
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    unmap_delay_report(delay_report_);
}

std::chrono::microseconds PamChild::requested_fail_delay() const
{
    return std::chrono::microseconds(delay_report_->load());
}

} // namespace rampart::authd
