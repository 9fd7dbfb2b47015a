// The broker's security events, each with a stable MESSAGE_ID (listed in
// docs/auth-protocol.md). Nothing here ever receives a secret.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace rampart::authd::journal {

inline constexpr const char *auth_succeeded_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e01";
inline constexpr const char *auth_failed_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e02";
inline constexpr const char *auth_unavailable_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e03";
inline constexpr const char *protocol_violation_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e04";
inline constexpr const char *peer_refused_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e05";
inline constexpr const char *user_changed_id = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f2e06";

void auth_succeeded(std::string_view user, std::uint32_t attempt);
// `reason` is a category: "denied", "expired", "cancelled".
void auth_failed(std::string_view user, std::uint32_t attempt, std::string_view reason);
// `detail` names what broke (a PAM stage and pam_strerror), never what the user typed.
void auth_unavailable(std::string_view user, std::string_view detail);
void protocol_violation(pid_t peer_pid, std::string_view detail);
void peer_refused(pid_t peer_pid, uid_t peer_uid, std::string_view detail);
// The PAM stack succeeded, but for `pam_user` (PAM_USER as the modules left it), not `user`.
void user_changed(std::string_view user, std::string_view pam_user);

} // namespace rampart::authd::journal
