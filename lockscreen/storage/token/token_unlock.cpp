#include "token_unlock.hpp"

#include "base64.hpp"
#include "config/config.hpp"
#include "luks_pkcs11.hpp"
#include "pkcs11_token.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <optional>

namespace rampart::storage {
namespace {

// The slot holding the token `token_uri` names (and `enrolled_uri` accepts), if present now.
std::optional<p11::Slot> find_slot(const p11::Modules &modules, P11KitUri *token_uri,
                                   P11KitUri *enrolled_uri)
{
    for (const p11::Slot &slot : modules.slots()) {
        if (p11_kit_uri_match_token_info(token_uri, &slot.info) &&
            p11_kit_uri_match_token_info(enrolled_uri, &slot.info))
            return slot;
    }
    return std::nullopt;
}

std::string quoted(const std::string &label)
{
    return label.empty() ? std::string("the card") : "the card \"" + label + "\"";
}

std::string capitalised(std::string text)
{
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

TokenUnlock outcome(PinResult result, const TokenInfo &state, std::string user_message,
                    std::string detail)
{
    return TokenUnlock{result, std::move(user_message), std::move(detail), state};
}

TokenUnlock removed(const TokenInfo &state, const std::string &detail)
{
    return outcome(PinResult::token_removed, state,
                   capitalised(quoted(state.label)) + " was removed.", detail);
}

TokenUnlock locked(const TokenInfo &state, std::string prefix, const std::string &detail)
{
    TokenInfo now = state;
    now.pin_locked = true;
    return outcome(PinResult::pin_locked, now,
                   prefix + "The PIN of " + quoted(now.label) +
                       " is locked. Ask your administrator to unblock the card.",
                   detail);
}

// A failed call: the card being pulled out shows as all sorts of errors, so when the token
// is no longer there, say that rather than the error.
TokenUnlock failed(const p11::Modules &modules, P11KitUri *token_uri, P11KitUri *enrolled_uri,
                   const TokenInfo &state, CK_RV rv, const std::string &what,
                   const std::string &user_message)
{
    const std::string detail = what + ": " + p11::rv_text(rv);
    if (p11::means_removed(rv) || !find_slot(modules, token_uri, enrolled_uri))
        return removed(state, detail);
    return outcome(PinResult::error, state, user_message, detail);
}

} // namespace

std::vector<TokenInfo> present_tokens(const config::StorageConfig &config,
                                      std::vector<std::string> *problems)
{
    std::vector<TokenInfo> tokens;
    p11::Modules modules(config.pkcs11_module);
    if (!modules.loaded()) {
        if (problems)
            problems->push_back(modules.error());
        return tokens;
    }
    for (const p11::Slot &slot : modules.slots())
        tokens.push_back(p11::describe(slot.info, config.pkcs11_module));
    return tokens;
}

std::vector<EnrolledToken> enrolled_tokens(const config::StorageConfig &config,
                                           std::vector<std::string> *problems)
{
    std::vector<EnrolledToken> tokens;
    std::vector<std::string> found_problems;
    for (const config::VolumeConfig &volume : config.volumes) {
        auto more = read_enrolled_tokens(volume, found_problems);
        std::move(more.begin(), more.end(), std::back_inserter(tokens));
    }
    if (problems)
        problems->insert(problems->end(), found_problems.begin(), found_problems.end());
    return tokens;
}

std::vector<TokenMatch> match_tokens(const std::vector<TokenInfo> &present,
                                     const std::vector<EnrolledToken> &enrolled)
{
    std::vector<TokenMatch> matches;
    for (const TokenInfo &token : present) {
        // The present token's URI carries its full CK_TOKEN_INFO identity fields.
        p11::Uri token_uri = p11::parse_uri(token.uri);
        if (!token_uri)
            continue;
        CK_TOKEN_INFO *info = p11_kit_uri_get_token_info(token_uri.get());
        for (const EnrolledToken &enrolment : enrolled) {
            p11::Uri enrolled_uri = p11::parse_uri(enrolment.pkcs11_uri);
            if (enrolled_uri && p11_kit_uri_match_token_info(enrolled_uri.get(), info))
                matches.push_back(TokenMatch{token, enrolment});
        }
    }
    return matches;
}

TokenUnlock derive_volume_passphrase(const TokenMatch &match, std::span<const char> pin,
                                     secure::SecretBuffer &passphrase_out, bool final_try_confirmed)
{
    passphrase_out.clear();
    TokenInfo state = match.token;
    const std::string card = quoted(state.label);
    const std::string volume = match.enrolled.volume;
    p11::Uri token_uri = p11::parse_uri(state.uri);
    p11::Uri enrolled_uri = p11::parse_uri(match.enrolled.pkcs11_uri);
    if (!token_uri || !enrolled_uri)
        return outcome(PinResult::error, state,
                       "The smartcard enrolment of volume " + volume + " is damaged.",
                       "invalid PKCS#11 URI");

    p11::Modules modules(state.module);
    if (!modules.loaded())
        return outcome(PinResult::error, state, "Smartcards cannot be used right now.",
                       modules.error());
    const std::optional<p11::Slot> slot = find_slot(modules, token_uri.get(), enrolled_uri.get());
    if (!slot)
        return removed(state, "token no longer present");
    state = p11::describe(slot->info, state.module);
    if (state.pin_locked)
        return locked(state, "", "CKF_USER_PIN_LOCKED set before login");
    // A card whose key works without a PIN would unlock the screen with any PIN: possession
    // alone. systemd-cryptsetup accepts such cards for boot; a lock screen must not.
    if (!state.needs_login && !state.pin_pad)
        return outcome(PinResult::login_refused, state,
                       capitalised(card) + " does not check a PIN, so it cannot unlock the screen.",
                       "CKF_LOGIN_REQUIRED not set");
    if (std::string problem = pin_length_problem(state, pin.size()); !problem.empty())
        return outcome(PinResult::wrong_pin, state, problem,
                       "PIN length outside the token's limits");
    if (state.pin_final_try && !final_try_confirmed)
        return outcome(PinResult::final_try_unconfirmed, state,
                       capitalised(card) + " is now at its final PIN try. Unlock again to "
                                           "confirm using it.",
                       "CKF_USER_PIN_FINAL_TRY set after the prompt");

    p11::Session session(*slot);
    if (session.open_result() != CKR_OK)
        return failed(modules, token_uri.get(), enrolled_uri.get(), state, session.open_result(),
                      "C_OpenSession", capitalised(card) + " cannot be used.");

    const CK_RV login = session.login(pin);
    if (login == CKR_PIN_INCORRECT || login == CKR_PIN_LEN_RANGE) {
        CK_TOKEN_INFO after{};
        if (slot->module->C_GetTokenInfo(slot->id, &after) == CKR_OK)
            state = p11::describe(after, state.module);
        const std::string detail = "C_Login: " + p11::rv_text(login);
        if (state.pin_locked)
            return locked(state, "Wrong PIN. ", detail);
        std::string message = "Wrong PIN for " + card + ".";
        // COUNT_LOW only says a wrong PIN was entered since the last good one: no news here.
        if (state.pin_final_try)
            message += " One try left: another wrong PIN locks the card.";
        return outcome(PinResult::wrong_pin, state, message, detail);
    }
    if (login == CKR_PIN_LOCKED)
        return locked(state, "", "C_Login: " + p11::rv_text(login));
    if (login != CKR_OK) {
        // Some drivers report a wrong PIN as a generic failure: never try the PIN again.
        TokenUnlock refused = failed(modules, token_uri.get(), enrolled_uri.get(), state, login,
                                     "C_Login", capitalised(card) + " refused the PIN check.");
        if (refused.result == PinResult::error)
            refused.result = PinResult::login_refused;
        return refused;
    }

    CK_OBJECT_HANDLE key = 0;
    bool found = false;
    const CK_RV find = session.find_private_key(enrolled_uri.get(), key, found);
    if (find != CKR_OK)
        return failed(modules, token_uri.get(), enrolled_uri.get(), state, find, "C_FindObjects",
                      capitalised(card) + " cannot be read.");
    if (!found)
        return failed(modules, token_uri.get(), enrolled_uri.get(), state, CKR_OK,
                      "no single RSA decryption key matches the enrolled URI",
                      capitalised(card) + " has no key for volume " + volume + ".");

    // The RSA plaintext is shorter than the ciphertext; it is the secret, so it only ever
    // lives in locked memory that is wiped.
    secure::SecretBuffer secret(std::max<std::size_t>(match.enrolled.wrapped_key.size(), 64));
    const CK_RV decrypt = session.decrypt(key, match.enrolled.wrapped_key, secret);
    if (decrypt != CKR_OK)
        return failed(modules, token_uri.get(), enrolled_uri.get(), state, decrypt, "C_Decrypt",
                      "The key on " + card + " does not fit volume " + volume + ".");
    const auto *bytes = reinterpret_cast<const unsigned char *>(secret.data());
    if (secret.empty() || !base64_encode_secret({bytes, secret.size()}, passphrase_out))
        return outcome(PinResult::error, state,
                       "The key on " + card + " does not fit volume " + volume + ".",
                       "decrypted secret empty or too long");
    log::info("storage: token %s opened the key of volume %s (LUKS2 token %d)", state.label.c_str(),
              volume.c_str(), match.enrolled.luks_token_id);
    return outcome(PinResult::ok, state, "", "");
}

std::string pin_length_problem(const TokenInfo &token, std::size_t length)
{
    const unsigned long min = token.pin_min_length, max = token.pin_max_length;
    // A PIN-pad reader takes the PIN on its own keys; what was typed here is not the PIN.
    if (token.pin_pad || (length >= min && (max == 0 || length <= max)))
        return "";
    const std::string card = quoted(token.label);
    if (max == 0)
        return "The PIN of " + card + " has at least " + std::to_string(min) + " characters.";
    if (min == max)
        return "The PIN of " + card + " has " + std::to_string(min) + " characters.";
    return "The PIN of " + card + " has " + std::to_string(min) + " to " + std::to_string(max) +
           " characters.";
}

std::string pin_state_message(const TokenInfo &token)
{
    const std::string card = quoted(token.label);
    if (token.pin_locked)
        return "The PIN of " + card + " is locked. Ask your administrator to unblock the card.";
    if (token.pin_final_try)
        return "Final PIN try for " + card + ": a wrong PIN locks the card.";
    if (token.pin_count_low)
        return "A wrong PIN was entered for " + card + " since it was last used.";
    return "";
}

} // namespace rampart::storage
