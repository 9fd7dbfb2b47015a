#include "journal.hpp"

#include "auth_protocol.hpp"
#include "util/log.hpp"

#include <string>

namespace rampart::authd::journal {
namespace {

std::string field(std::string_view key, std::string_view value)
{
    return std::string(key) + "=" + std::string(value);
}

} // namespace

void auth_succeeded(std::string_view user, std::uint32_t attempt)
{
    log::security_event(
        log::Level::info, auth_succeeded_id,
        "rampart-authd: authentication succeeded for " + std::string(user),
        {field("RAMPART_USER", user), field("RAMPART_ATTEMPT", std::to_string(attempt))});
}

void auth_failed(std::string_view user, std::uint32_t attempt, std::string_view reason)
{
    log::security_event(log::Level::warning, auth_failed_id,
                        "rampart-authd: authentication failed for " + std::string(user) + " (" +
                            std::string(reason) + ")",
                        {field("RAMPART_USER", user), field("RAMPART_REASON", reason),
                         field("RAMPART_ATTEMPT", std::to_string(attempt))});
}

void auth_unavailable(std::string_view user, std::string_view detail)
{
    log::security_event(log::Level::error, auth_unavailable_id,
                        "rampart-authd: authentication unavailable for " + std::string(user) +
                            ": " + std::string(detail),
                        {field("RAMPART_USER", user), field("RAMPART_DETAIL", detail)});
}

void protocol_violation(pid_t peer_pid, std::string_view detail)
{
    log::security_event(
        log::Level::warning, protocol_violation_id,
        "rampart-authd: protocol violation by peer: " + std::string(detail),
        {field("RAMPART_PEER_PID", std::to_string(peer_pid)), field("RAMPART_DETAIL", detail)});
}

void peer_refused(pid_t peer_pid, uid_t peer_uid, std::string_view detail)
{
    log::security_event(log::Level::warning, peer_refused_id,
                        "rampart-authd: peer refused: " + std::string(detail),
                        {field("RAMPART_PEER_PID", std::to_string(peer_pid)),
                         field("RAMPART_PEER_UID", std::to_string(peer_uid))});
}

void user_changed(std::string_view user, std::string_view pam_user)
{
    // A module chose this name: sanitised like any text PAM hands us.
    const std::string changed = auth::sanitize_text(pam_user);
    log::security_event(log::Level::warning, user_changed_id,
                        "rampart-authd: PAM authenticated " + changed + " instead of " +
                            std::string(user) + ": denied",
                        {field("RAMPART_USER", user), field("RAMPART_PAM_USER", changed)});
}

} // namespace rampart::authd::journal
