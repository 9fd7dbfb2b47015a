// Card removal (issue 6, `[storage] card_removal`): once a smartcard unlocked the screen, the
// broker's parent watches for that token to go away and then tells the compositor, once, with
// an unsolicited `event` (auth::Event{0, token_removed, "The card \"<label>\" was removed."});
// the compositor decides what the policy makes of it (lock, or nothing).
//
// Which token: the check child names the token that unlocked in one frame on the INTERNAL
// child channel, just before its `success` result: a StorageDone whose text is
// "<token URI>\n<label>" (unlocked_token_frame). The compositor could never confuse it with
// its own protocol: the parent never forwards it, and a check child (not a storage job) may
// send nothing else of that type. Neither the URI (percent-encoded ASCII) nor the label
// (control characters replaced when read from the card) can hold a '\n'.
//
// How: while no check or storage job runs, every `token_probe_interval` the parent forks a
// short-lived child that initialises p11-kit (after the fork, in the child: the parent never
// loads a module), lists the tokens present (storage::present_tokens) and writes one byte to
// a pipe: present, absent, or unknown (no module could be asked). A child per look because
// modules keep what they saw at C_Initialize (SoftHSM2 reads its token directory only then; a
// PC/SC module holds reader handles), and a module that hangs can be killed; the process that
// holds the compositor's connection never runs card code. Absent: the event is sent and
// watching ends. Watching also ends at the next `start` or storage `lock` (a new lock began).
#pragma once

#include "auth_protocol.hpp"
#include "config/config.hpp"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace rampart::storage {
struct TokenInfo;
}

namespace rampart::authd {

inline constexpr std::chrono::milliseconds token_probe_interval{2000};
// A look that takes longer is killed (a hung module or reader); the next one comes as usual.
inline constexpr std::chrono::milliseconds token_probe_timeout{10'000};
// Looks in a row that cannot tell (no module loads, or each hangs) before the card counts as
// gone: a reader service that died must not keep card_removal = lock from ever locking, and
// one hiccup must not lock.
inline constexpr int token_unknown_limit = 3;

// The token that unlocked, as the check child reports it.
struct UnlockedToken {
    std::string uri;   // the token's PKCS#11 URI (label, manufacturer, model, serial)
    std::string label; // for the user
};

// Child side: the frame naming the token that is about to unlock `attempt`.
std::vector<std::uint8_t> unlocked_token_frame(std::uint32_t attempt,
                                               const storage::TokenInfo &token);
// Parent side: the token a check child's StorageDone names; nullopt when malformed.
std::optional<UnlockedToken> parse_unlocked_token(const auth::StorageDone &frame);

// One look, in a forked child; killed and reaped on destruction.
class TokenProbe {
    struct Forked {};

public:
    enum class Answer { present, absent, unknown };

    // `close_in_child`: the compositor's connection. nullptr when the fork fails.
    static std::unique_ptr<TokenProbe> spawn(const config::StorageConfig &storage,
                                             const std::string &uri, int close_in_child);
    TokenProbe(Forked, pid_t pid, int fd) : pid_(pid), fd_(fd) {}
    ~TokenProbe();
    TokenProbe(const TokenProbe &) = delete;
    TokenProbe &operator=(const TokenProbe &) = delete;

    int fd() const { return fd_; }
    // After fd() polled readable: the child's answer (unknown if it died without one).
    Answer answer();
    std::chrono::steady_clock::time_point started() const { return started_; }

private:
    pid_t pid_;
    int fd_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The watch over one token, driven by the session's poll loop.
class TokenWatch {
public:
    using Clock = std::chrono::steady_clock;

    void watch(UnlockedToken token);
    void stop(); // kills a running look too
    bool active() const { return token_.has_value(); }
    // Kills a running look (a check or storage job is about to run); the next comes later.
    void pause();

    int fd() const { return probe_ ? probe_->fd() : -1; }
    // How long the loop may sleep before on_due() must run; -1: nothing scheduled. `busy`
    // (a check or storage job runs): no look is started, so none is due (no busy loop).
    int timeout_ms(bool busy) const;
    // Starts a look when one is due and `busy` is false (no check or storage job), kills
    // one that takes too long. `peer_fd` is closed in the look's child. The event to send
    // when that made too many looks in a row fail (watching then ends).
    std::optional<auth::Event> on_due(bool busy, const config::StorageConfig &storage, int peer_fd);
    // The look's answer is ready: the event to send when the token is gone (watching then
    // ends), else nullopt.
    std::optional<auth::Event> on_readable();

private:
    std::optional<UnlockedToken> token_;
    std::unique_ptr<TokenProbe> probe_;
    Clock::time_point next_look_{};
    int unknown_looks_ = 0; // in a row
    // A look that could not tell; the event once there were too many in a row.
    std::optional<auth::Event> cannot_tell(const char *why);
    std::optional<auth::Event> gone(const std::string &what);
};

} // namespace rampart::authd
