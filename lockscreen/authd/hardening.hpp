// Process hardening the broker applies before it touches its connection or PAM.
#pragma once

namespace rampart::authd {

// Not dumpable (no core, no ptrace by the same uid), core size 0, SIGPIPE ignored,
// SIGCHLD default (so children can be reaped), no blocked signals inherited.
void harden_process();

// Overwrites the stack below the caller, where the callees that just handled an answer
// ran (register spills and library internals can leave copies there).
void scrub_stack();

// Closes every descriptor above stderr except `keep`: close_range, or where that fails
// (old kernels, a seccomp filter) the list in /proc/self/fd. False when both failed.
[[nodiscard]] bool close_inherited_fds(int keep);

} // namespace rampart::authd
