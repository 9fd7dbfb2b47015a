// `rampartctl storage status`: asks rampart-authd (never the compositor, which holds no keys)
// to describe the configured volumes, their state and their enrolled tokens.
#pragma once

#include <string>

namespace rampartctl {

// Prints the broker's answer; returns the exit status (0 ok, 1 the broker reported a problem,
// 2 it could not be reached).
int storage_status(const std::string &config_path, const std::string &authd_path);

} // namespace rampartctl
