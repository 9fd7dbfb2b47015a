#include "token_check.hpp"

#include "channel.hpp"
#include "storage/volumes.hpp"
#include "token_unlock.hpp"
#include "token_watch.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <memory>

namespace rampart::authd {

namespace {
// Asks `prompt` and copies the answer into `out` (a locked buffer); false when the
// compositor went away or sent something else.
bool ask(Channel &channel, std::uint32_t attempt, auth::PromptStyle style,
         const std::string &prompt, secure::SecretBuffer &out)
{
    if (!channel.send(auth::encode(auth::Prompt{attempt, style, prompt})))
        return false;
    auto message = channel.next_blocking();
    const auto *answer = message ? std::get_if<auth::AnswerReceived>(&*message) : nullptr;
    if (!answer || answer->attempt != attempt)
        return false;
    out.clear();
    bool fits = out.append(channel.decoder().answer_secret());
    channel.decoder().wipe_answer();
    return fits;
}

auth::Result failure(std::uint32_t attempt, auth::Status status, std::string text)
{
    return {attempt, status, 0, std::move(text)};
}
// The configured volumes `matches` (one card's enrolments) name, in config order.
std::vector<const config::VolumeConfig *>
card_volumes(const config::StorageConfig &storage, const std::vector<storage::TokenMatch> &matches)
{
    std::vector<const config::VolumeConfig *> volumes;
    for (const config::VolumeConfig &volume : storage.volumes)
        if (std::any_of(matches.begin(), matches.end(),
                        [&](const auto &m) { return m.enrolled.volume == volume.name; }))
            volumes.push_back(&volume);
    return volumes;
}

// A volume of the user the card does not open and that is not open already; "" if none.
std::string closed_without_card(const config::StorageConfig &storage,
                                const std::vector<const config::VolumeConfig *> &volumes)
{
    for (const storage::VolumeStatus &volume : storage::status(storage)) {
        const bool the_cards = std::any_of(volumes.begin(), volumes.end(),
                                           [&](const auto *v) { return v->name == volume.name; });
        if (!the_cards && volume.state != storage::VolumeState::active)
            return volume.name;
    }
    return "";
}

// The card's candidate passphrases for its volumes, kept alive in `passphrases`.
struct CardKeys {
    std::vector<std::unique_ptr<secure::SecretBuffer>> passphrases;
    std::vector<storage::VolumeKeys> keys;
};

// Logs into the card with `pin` and unwraps every enrolment; a result when that failed.
// Each enrolment of the card gives a candidate passphrase: a volume may hold a stale one
// beside the current one, so every candidate is kept and tried in turn.
std::optional<auth::Result> unwrap_keys(std::uint32_t attempt,
                                        const std::vector<const config::VolumeConfig *> &volumes,
                                        const std::vector<storage::TokenMatch> &matches,
                                        std::span<const char> pin, bool confirmed, CardKeys &out)
{
    for (const config::VolumeConfig *volume : volumes) {
        storage::VolumeKeys entry{volume, {}};
        std::string last_problem;
        for (const storage::TokenMatch &match : matches) {
            if (match.enrolled.volume != volume->name)
                continue;
            auto passphrase = std::make_unique<secure::SecretBuffer>(1024);
            storage::TokenUnlock unlocked =
                storage::derive_volume_passphrase(match, pin, *passphrase, confirmed);
            switch (unlocked.result) {
            case storage::PinResult::ok:
                confirmed = true; // the PIN is right: no final try is left to spend
                entry.passphrases.push_back(passphrase->view());
                out.passphrases.push_back(std::move(passphrase));
                continue;
            case storage::PinResult::wrong_pin:
            case storage::PinResult::login_refused:
            case storage::PinResult::pin_locked:
            case storage::PinResult::token_removed:
                return failure(attempt, auth::Status::denied, unlocked.user_message);
            case storage::PinResult::final_try_unconfirmed:
                return failure(attempt, auth::Status::cancelled, unlocked.user_message);
            case storage::PinResult::error: break;
            }
            log::warning("token: volume %s, LUKS2 token %d: %s", volume->name.c_str(),
                         match.enrolled.luks_token_id, unlocked.detail.c_str());
            last_problem = unlocked.user_message;
        }
        if (entry.passphrases.empty())
            return failure(attempt, auth::Status::unavailable, last_problem);
        out.keys.push_back(std::move(entry));
    }
    return std::nullopt;
}

} // namespace

std::optional<auth::Result> run_token_check(std::uint32_t attempt,
                                            const config::StorageConfig &storage, Channel &channel,
                                            const AccountCheck &account)
{
    if (storage.volumes.empty())
        return std::nullopt;
    std::vector<std::string> problems;
    std::vector<storage::TokenMatch> matches = storage::match_tokens(
        storage::present_tokens(storage, &problems), storage::enrolled_tokens(storage, &problems));
    for (const std::string &problem : problems)
        log::warning("token: %s", problem.c_str());
    if (matches.empty())
        return std::nullopt;
    // One card: the first match's; its other volumes (same token) are unlocked with it.
    const storage::TokenInfo token = matches.front().token;
    std::erase_if(matches, [&](const storage::TokenMatch &m) { return m.token.uri != token.uri; });
    const std::vector<const config::VolumeConfig *> volumes = card_volumes(storage, matches);
    // The others must be open already, or the screen would unlock in front of a closed
    // volume: then the password (which opens them all) is asked instead, before any PIN.
    const storage::Mode mode = storage::mode_from_environment();
    if (mode == storage::Mode::real)
        if (const std::string closed = closed_without_card(storage, volumes); !closed.empty()) {
            channel.send(
                auth::encode(auth::Notice{attempt, false,
                                          "The card \"" + token.label + "\" does not open volume " +
                                              closed + ": unlock with your password."}));
            return std::nullopt;
        }
    if (token.pin_locked) {
        // The card cannot be used: say so, and let the password (PAM) path run instead.
        channel.send(auth::encode(auth::Notice{attempt, true, storage::pin_state_message(token)}));
        return std::nullopt;
    }
    // The final try is announced before the PIN is asked (and confirmed below).
    if (token.pin_final_try)
        channel.send(auth::encode(auth::Notice{attempt, true, storage::pin_state_message(token)}));
    secure::SecretBuffer answer(auth::max_secret);
    if (token.pin_final_try) {
        // Spending the last try locks the card if it is wrong: the user confirms first.
        if (!ask(channel, attempt, auth::PromptStyle::visible,
                 "This is the last PIN try for the card \"" + token.label +
                     "\". Type yes to use it: ",
                 answer))
            return failure(attempt, auth::Status::unavailable, "The check was abandoned.");
        if (std::string_view(answer.data(), answer.size()) != "yes")
            return failure(attempt, auth::Status::cancelled, "The last PIN try was not used.");
    }
    // "Count low" goes with the prompt, which stays on screen beside any "Wrong PIN" message
    // (a notice would replace that message): the state also shows when the wrong PIN was
    // typed elsewhere. The final try was announced above.
    const std::string count_low =
        token.pin_count_low && !token.pin_final_try ? " (a wrong PIN was entered before)" : "";
    if (!ask(channel, attempt, auth::PromptStyle::secret,
             "PIN for the card \"" + token.label + "\"" + count_low + ": ", answer))
        return failure(attempt, auth::Status::unavailable, "The check was abandoned.");
    // An empty PIN is never right, and a card that needs no login would take it: refused.
    if (answer.empty())
        return failure(attempt, auth::Status::denied, "Type the card's PIN.");
    CardKeys keys;
    if (auto failed = unwrap_keys(attempt, volumes, matches, answer.view(),
                                  token.pin_final_try /* the user typed "yes" */, keys))
        return failed;
    answer.clear();

    // The card proved who is here; the account may still not be allowed in (expired, outside
    // its hours, pam_access): PAM says so before any key goes back into the kernel.
    if (std::optional<auth::Result> refused = account())
        return refused;
    storage::Outcome outcome = storage::unlock_with_keys(storage, keys.keys, mode);
    if (!outcome.ok)
        return failure(attempt, auth::Status::denied, outcome.user_message);
    // The parent watches this card for removal once the success is out (token_watch.hpp).
    channel.send(unlocked_token_frame(attempt, token));
    return auth::Result{attempt, auth::Status::success, 0, ""};
}

} // namespace rampart::authd
