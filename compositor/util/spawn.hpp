// Starting child processes from the compositor: the event loop blocks the signals it handles,
// and children must not inherit that mask, our handlers or our session.
#pragma once

#include <spawn.h>
#include <sys/types.h>

namespace rampart {

// posix_spawn with an empty signal mask, default dispositions for the signals Rampart
// handles, and a new session. Returns 0 and sets `pid`, or the posix_spawn error.
int spawn_clean(pid_t &pid, const char *path, const char *const argv[],
                const posix_spawn_file_actions_t *actions = nullptr);

} // namespace rampart
