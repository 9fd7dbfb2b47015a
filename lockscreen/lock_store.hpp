// Keeps the lock state across restarts of Rampart: a small owner-only file in
// $XDG_RUNTIME_DIR (gone at logout and reboot, like the session it belongs to). Pure POSIX.
//
// Fail closed: a file that exists but cannot be read, is malformed, or is not safely ours
// reads as "locked" — a crash must never be a way to skip the lock screen.
#pragma once

#include "lock_state.hpp"

#include <string>

namespace rampart::lockscreen {

struct LoadedLockState {
    enum class Status { missing, ok, unsafe } status = Status::missing;
    PersistentLockState state; // for `unsafe`: locked, with what could be read
    std::string error;         // why it is unsafe, for the log
};

// `runtime_dir`/rampart/`display`.lock-state
std::string lock_state_path(const std::string &runtime_dir, const std::string &display);

LoadedLockState load_lock_state(const std::string &path);
// Writes atomically (temporary file, fsync, rename), mode 0600, creating the directory
// (0700) if needed. False with `error` set on failure.
bool save_lock_state(const std::string &path, const PersistentLockState &state, std::string &error);

// Parsing and formatting, exposed for the unit tests.
std::string format_lock_state(const PersistentLockState &state);
bool parse_lock_state(const std::string &text, PersistentLockState &state, std::string &error);

} // namespace rampart::lockscreen
