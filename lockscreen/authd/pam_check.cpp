#include "pam_check.hpp"

#include "channel.hpp"
#include "journal.hpp"
#include "storage_job.hpp"
#include "token_check.hpp"
#include "util/log.hpp"

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <type_traits>
#include <variant>

namespace rampart::authd {
namespace {

constexpr const char *expired_password_text =
    "Your password has expired and must be changed before it can unlock this screen. "
    "Ask your administrator.";
constexpr const char *expired_account_text =
    "Your account has expired. Contact your administrator.";
constexpr const char *unavailable_text = "Authentication is not available.";
constexpr const char *account_denied_text = "This account may not unlock now.";

// Shared by the conversation and the fail-delay callbacks (both get it as appdata_ptr).
struct Conversation {
    Channel channel;
    std::uint32_t attempt;
    FailDelayReport *delay_report = nullptr;
    unsigned fail_delay_usec = 0;
    // The first secret answer: the password, which also opens the user's volumes.
    secure::SecretBuffer password{auth::max_secret};
    bool keep_password = false;
    bool answering_secret = false; // the prompt being answered is echo-off (a password)
};

void free_responses(pam_response *responses, int count)
{
    for (int i = 0; i < count; ++i) {
        if (responses[i].resp) {
            secure::wipe(responses[i].resp, std::strlen(responses[i].resp));
            std::free(responses[i].resp);
        }
    }
    std::free(responses);
}

// PAM frees the answer itself, so it must be malloc'd; this is the one copy we cannot wipe
// afterwards, and the reason the whole transaction runs in a process that exits.
char *wait_for_answer(Conversation &conversation)
{
    auto message = conversation.channel.next_blocking();
    const auto *answer = message ? std::get_if<auth::AnswerReceived>(&*message) : nullptr;
    if (!answer || answer->attempt != conversation.attempt)
        return nullptr;
    const auto secret = conversation.channel.decoder().answer_secret();
    if (conversation.keep_password && conversation.answering_secret &&
        conversation.password.empty())
        conversation.password.append(secret);
    auto *copy = static_cast<char *>(std::malloc(secret.size() + 1));
    if (copy) {
        std::memcpy(copy, secret.data(), secret.size());
        copy[secret.size()] = '\0';
    }
    conversation.channel.decoder().wipe_answer();
    return copy;
}

int converse(int count, const pam_message **messages, pam_response **responses_out, void *appdata)
{
    auto &conversation = *static_cast<Conversation *>(appdata);
    if (count <= 0 || count > PAM_MAX_NUM_MSG || !responses_out)
        return PAM_CONV_ERR;
    auto *responses = static_cast<pam_response *>(std::calloc(count, sizeof(pam_response)));
    if (!responses)
        return PAM_BUF_ERR;
    for (int i = 0; i < count; ++i) {
        const pam_message &message = *messages[i];
        const std::string text = message.msg ? message.msg : "";
        bool ok = false;
        switch (message.msg_style) {
        case PAM_PROMPT_ECHO_OFF:
        case PAM_PROMPT_ECHO_ON: {
            const auto style = message.msg_style == PAM_PROMPT_ECHO_OFF
                                   ? auth::PromptStyle::secret
                                   : auth::PromptStyle::visible;
            ok = conversation.channel.send(
                auth::encode(auth::Prompt{conversation.attempt, style, text}));
            if (ok) {
                conversation.answering_secret = style == auth::PromptStyle::secret;
                responses[i].resp = wait_for_answer(conversation);
                ok = responses[i].resp != nullptr;
            }
            break;
        }
        case PAM_TEXT_INFO:
        case PAM_ERROR_MSG:
            ok = conversation.channel.send(auth::encode(
                auth::Notice{conversation.attempt, message.msg_style == PAM_ERROR_MSG, text}));
            break;
        default: break; // binary prompts and the like: not ours to answer
        }
        if (!ok) {
            free_responses(responses, count);
            return PAM_CONV_ERR;
        }
    }
    *responses_out = responses;
    return PAM_SUCCESS;
}

// Called by libpam instead of sleeping, with the (randomised) delay the modules asked for.
void record_fail_delay(int status, unsigned usec, void *appdata)
{
    if (status != PAM_SUCCESS && appdata) {
        auto &conversation = *static_cast<Conversation *>(appdata);
        conversation.fail_delay_usec = usec;
        if (conversation.delay_report)
            conversation.delay_report->store(usec);
    }
}

// The user PAM ended up authenticating. A module may rewrite PAM_USER (pam_sss, a bad
// mapping, a hostile module); a success for someone else must not unlock this user's screen.
bool same_user(pam_handle_t *handle, const std::string &user)
{
    const void *item = nullptr;
    if (pam_get_item(handle, PAM_USER, &item) != PAM_SUCCESS || !item)
        return false;
    const char *name = static_cast<const char *>(item);
    if (user == name)
        return true;
    journal::user_changed(user, name);
    return false;
}

void sleep_usec(unsigned usec)
{
    timespec remaining{static_cast<time_t>(usec / 1000000),
                       static_cast<long>(usec % 1000000) * 1000};
    while (nanosleep(&remaining, &remaining) != 0) {
    }
}

std::string describe(const char *stage, int code)
{
    return std::string(stage) + ": " + pam_strerror(nullptr, code);
}

// pam_acct_mgmt alone, for a user the smartcard already proved: the account rules apply to
// every way in (sshd does the same after a key).
CheckOutcome check_account(const CheckRequest &request, Conversation &conversation)
{
    const pam_conv callbacks{converse, &conversation};
    pam_handle_t *handle = nullptr;
    int code = pam_start(request.service.c_str(), request.user.c_str(), &callbacks, &handle);
    if (code != PAM_SUCCESS)
        return {auth::Status::unavailable, unavailable_text, describe("pam_start", code)};
    code = pam_acct_mgmt(handle, PAM_DISALLOW_NULL_AUTHTOK);
    log::debug("pam_acct_mgmt (smartcard): %s", pam_strerror(handle, code));
    CheckOutcome outcome = classify(PAM_SUCCESS, code);
    if (outcome.status == auth::Status::success && !same_user(handle, request.user))
        outcome = {auth::Status::denied, account_denied_text, ""};
    pam_end(handle, code);
    return outcome;
}

} // namespace

CheckOutcome classify(int authenticate_code, int account_code)
{
    switch (authenticate_code) {
    case PAM_SUCCESS: break;
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN:
    case PAM_MAXTRIES:
    case PAM_CRED_INSUFFICIENT: return {auth::Status::denied, "", ""};
    default:
        return {auth::Status::unavailable, unavailable_text,
                describe("pam_authenticate", authenticate_code)};
    }
    switch (account_code) {
    case PAM_SUCCESS: return {auth::Status::success, "", ""};
    case PAM_NEW_AUTHTOK_REQD:
    case PAM_AUTHTOK_EXPIRED: return {auth::Status::expired, expired_password_text, ""};
    case PAM_ACCT_EXPIRED: return {auth::Status::expired, expired_account_text, ""};
    case PAM_PERM_DENIED:
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN: return {auth::Status::denied, account_denied_text, ""};
    default:
        return {auth::Status::unavailable, unavailable_text,
                describe("pam_acct_mgmt", account_code)};
    }
}

void run_pam_check(const CheckRequest &request, int channel_fd, FailDelayReport *delay_report)
{
    Conversation conversation{Channel(channel_fd), request.attempt, delay_report};
    if (request.storage_job) {
        run_storage_job(*request.storage_job, request.storage, conversation.channel);
        return;
    }
    if (request.method == auth::Method::automatic) {
        const AccountCheck account = [&]() -> std::optional<auth::Result> {
            const CheckOutcome outcome = check_account(request, conversation);
            if (outcome.status == auth::Status::success)
                return std::nullopt;
            if (outcome.status == auth::Status::unavailable)
                journal::auth_unavailable(request.user, outcome.detail);
            return auth::Result{request.attempt, outcome.status, 0, outcome.text};
        };
        if (auto result =
                run_token_check(request.attempt, request.storage, conversation.channel, account)) {
            conversation.channel.send(auth::encode(*result));
            return;
        }
    }
    conversation.keep_password = !request.storage.volumes.empty();
    const pam_conv callbacks{converse, &conversation};
    pam_handle_t *handle = nullptr;
    CheckOutcome outcome;
    const int start_code =
        pam_start(request.service.c_str(), request.user.c_str(), &callbacks, &handle);
    if (start_code != PAM_SUCCESS) {
        outcome = {auth::Status::unavailable, unavailable_text, describe("pam_start", start_code)};
    } else {
        pam_set_item(handle, PAM_FAIL_DELAY, reinterpret_cast<const void *>(&record_fail_delay));
        // An empty password never unlocks a lock screen, whatever nullok says.
        const int authenticate_code = pam_authenticate(handle, PAM_DISALLOW_NULL_AUTHTOK);
        log::debug("pam_authenticate: %s", pam_strerror(handle, authenticate_code));
        int account_code = PAM_SUCCESS;
        if (authenticate_code == PAM_SUCCESS) {
            account_code = pam_acct_mgmt(handle, PAM_DISALLOW_NULL_AUTHTOK);
            log::debug("pam_acct_mgmt: %s", pam_strerror(handle, account_code));
        }
        outcome = classify(authenticate_code, account_code);
        if (outcome.status == auth::Status::success && !same_user(handle, request.user))
            outcome = {auth::Status::denied, account_denied_text, ""};
        // The modules' cleanup runs before any key goes back into the kernel: a module that
        // crashes there ends the check while the volumes are still suspended.
        pam_end(handle, authenticate_code != PAM_SUCCESS ? authenticate_code : account_code);
        // The same secret opens the user's volumes; if one will not open, the screen stays
        // locked and says which and why.
        if (outcome.status == auth::Status::success) {
            std::string problem = unlock_storage(request.storage, conversation.password.view());
            if (!problem.empty())
                outcome = {auth::Status::denied, problem, ""};
        }
        conversation.password.clear();
    }
    if (outcome.status == auth::Status::unavailable)
        journal::auth_unavailable(request.user, outcome.detail);

    auth::Result result{request.attempt, outcome.status, 0, outcome.text};
    if (outcome.status != auth::Status::success && conversation.fail_delay_usec > 0) {
        sleep_usec(conversation.fail_delay_usec);
        result.delay_ms = (conversation.fail_delay_usec + 999) / 1000;
    }
    conversation.channel.send(auth::encode(result));
}

} // namespace rampart::authd
