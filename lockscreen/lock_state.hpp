// The lock screen's state machine: what the user sees and what must happen next, from the
// lock request to the broker's success reply. Pure (no wlroots, no sockets, no clocks of its
// own): the compositor feeds it events with the current time and carries out its actions, so
// every path — wrong password, broker crash, hang, backoff — is unit-tested alone.
//
// Fail closed: the only way out of `locked` is a success result for the current attempt
// after the user submitted an answer in it (or the admin-allowed logind Unlock, decided by
// the caller). Anything unexpected leaves the screen locked.
#pragma once

#include "auth_protocol.hpp"
#include "secret_buffer.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace rampart::lockscreen {

using Clock = std::chrono::milliseconds; // a monotonic time that also counts suspend (BOOTTIME)

struct LockSettings {
    unsigned free_attempts = 3;     // failures before waits start
    Clock backoff_base{5'000};      // the first wait; doubles with each failure
    Clock backoff_max{300'000};     // waits never grow beyond this
    Clock check_timeout{60'000};    // broker silent this long mid-check: hung
    Clock broker_retry_base{1'000}; // restart waits after a broker failure
    Clock broker_retry_max{30'000};
    bool lock_storage =
        false; // volumes to suspend at lock: ask the broker before the first attempt
};

// What survives a restart of Rampart (kept in $XDG_RUNTIME_DIR, see lock_store.hpp).
struct PersistentLockState {
    bool locked = false;
    unsigned failures = 0;        // since the last unlock
    int64_t backoff_until_ms = 0; // CLOCK_BOOTTIME; 0: no wait
    bool operator==(const PersistentLockState &) const = default;
};

// The backoff wait after `failures` consecutive failures (0 while under the free attempts).
Clock backoff_for(const LockSettings &settings, unsigned failures);

// What the controller asks the compositor to do.
class LockActions {
public:
    virtual ~LockActions() = default;
    virtual void start_check(uint32_t attempt) = 0;  // send `start` (the broker is ready)
    virtual void lock_storage(uint32_t request) = 0; // send the storage lock request
    virtual void send_answer(uint32_t attempt, std::span<const char> secret) = 0;
    virtual void restart_broker() = 0; // kill whatever is there, start a new one
    virtual void stop_broker() = 0;    // kill it now (hung or misbehaving); restart comes later
    virtual void unlocked() = 0;       // show the desktop again
    virtual void persist(const PersistentLockState &state) = 0;
    virtual void changed() = 0; // what the screen shows changed: redraw
};

enum class Phase {
    unlocked,
    broker_down, // no broker; a restart is scheduled
    securing,    // the broker is suspending the encrypted volumes (before the first attempt)
    starting,    // `start` sent, waiting for the first prompt
    prompting,   // a prompt is shown; the user types
    checking,    // an answer was sent; waiting for the next prompt or the result
    backoff,     // too many failures: no attempt until the wait is over
};

class LockController {
public:
    LockController(LockSettings settings, LockActions &actions);

    // Restores what a previous run left (backoff, failures; `locked` is acted on by the caller).
    void restore(const PersistentLockState &state);
    void set_settings(const LockSettings &settings) { settings_ = settings; }

    // Lifecycle.
    void lock(Clock now);
    bool locked() const { return phase_ != Phase::unlocked; }
    // The caller decided to unlock without the broker (admin-allowed logind Unlock).
    void force_unlock();

    // Broker events (the caller checks the attempt id; a wrong one is a protocol violation).
    void broker_ready(Clock now);
    void broker_lost(Clock now);
    void prompt(const auth::Prompt &prompt, Clock now);
    void notice(const auth::Notice &notice);
    void result(const auth::Result &result, Clock now);
    void storage_done(const auth::StorageDone &done, Clock now);
    uint32_t current_attempt() const { return attempt_; }

    // The user's keys.
    void type(std::string_view utf8);
    void erase_last();
    void clear_input();
    void submit(Clock now);

    // Timers: the caller calls tick() at next_deadline() (and may call it any time).
    void tick(Clock now);
    std::optional<Clock> next_deadline() const;

    // What the screen shows.
    Phase phase() const { return phase_; }
    const std::string &prompt_text() const { return prompt_text_; }
    bool prompt_visible() const { return prompt_style_ == auth::PromptStyle::visible; }
    std::size_t typed_count() const { return input_.codepoints(); }
    // Only for echo-on prompts; empty for secret ones.
    std::string visible_answer() const;
    bool input_enabled() const { return phase_ == Phase::prompting || phase_ == Phase::starting; }
    const std::string &message() const { return message_; }
    bool message_is_error() const { return message_is_error_; }
    unsigned failures() const { return persistent_.failures; }
    // Seconds left to wait (backoff or broker restart), rounded up; 0 when none.
    unsigned seconds_to_wait(Clock now) const;
    const PersistentLockState &persistent() const { return persistent_; }

private:
    void begin_attempt(Clock now);
    void begin_securing_or_attempt(Clock now); // storage first, once per lock
    bool in_check() const { return phase_ == Phase::starting || phase_ == Phase::checking; }
    void broker_failed(Clock now, const std::string &why);
    // Waits (growing like broker restarts) before the next attempt: for a broken PAM stack.
    void pause_then_retry(Clock now, const std::string &why);
    Clock next_retry_wait();
    void set_message(std::string text, bool error);
    void save();

    LockSettings settings_;
    LockActions &actions_;
    Phase phase_ = Phase::unlocked;
    PersistentLockState persistent_;
    uint32_t attempt_ = 0;
    bool answered_in_attempt_ = false; // success without any answer is refused
    bool submit_pending_ = false;      // Enter pressed before the first prompt arrived
    secure::SecretBuffer input_{auth::max_secret};
    std::string prompt_text_;
    auth::PromptStyle prompt_style_ = auth::PromptStyle::secret;
    std::string message_;
    bool message_is_error_ = false;
    std::optional<Clock> check_deadline_;
    std::optional<Clock> retry_at_; // broker restart, or the next attempt after a pause
    unsigned broker_failures_ = 0;
    bool broker_up_ = false;
    // The broker confirmed the lock policy for this lock, and no check since may have left a
    // volume open behind the lock (a lost broker, a refused success).
    bool storage_locked_ = false;
};

} // namespace rampart::lockscreen
