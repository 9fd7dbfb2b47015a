#include "lock_state.hpp"

#include <algorithm>

namespace rampart::lockscreen {

namespace {
// Doubles `base` `steps` times, saturating at `max`.
Clock doubled(Clock base, unsigned steps, Clock max)
{
    Clock wait = base;
    for (unsigned i = 0; i < steps && wait < max; ++i)
        wait *= 2;
    return std::min(wait, max);
}
} // namespace

Clock backoff_for(const LockSettings &settings, unsigned failures)
{
    // The first wait follows failure number max(free_attempts, 1), and doubles after it.
    unsigned first = std::max(settings.free_attempts, 1u);
    if (failures < first || settings.backoff_base.count() <= 0)
        return Clock{0};
    return doubled(settings.backoff_base, failures - first, settings.backoff_max);
}

LockController::LockController(LockSettings settings, LockActions &actions)
    : settings_(settings), actions_(actions)
{
}

void LockController::restore(const PersistentLockState &state)
{
    persistent_.failures = state.failures;
    persistent_.backoff_until_ms = state.backoff_until_ms;
}

void LockController::save()
{
    actions_.persist(persistent_);
}

void LockController::set_message(std::string text, bool error)
{
    message_ = std::move(text);
    message_is_error_ = error;
}

void LockController::lock(Clock now)
{
    if (locked())
        return;
    persistent_.locked = true;
    save();
    input_.clear();
    set_message({}, false);
    prompt_text_.clear();
    phase_ = Phase::broker_down;
    retry_at_.reset();
    check_deadline_.reset();
    if (persistent_.backoff_until_ms > now.count()) {
        phase_ = Phase::backoff;
    } else if (broker_up_) {
        begin_securing_or_attempt(now);
    } else {
        broker_failures_ = 0;
        actions_.restart_broker(); // reports back through broker_ready or broker_lost
    }
    actions_.changed();
}

void LockController::force_unlock()
{
    if (!locked())
        return;
    phase_ = Phase::unlocked;
    storage_locked_ = false;
    persistent_ = {};
    input_.clear();
    set_message({}, false);
    retry_at_.reset();
    check_deadline_.reset();
    save();
    actions_.unlocked();
}

void LockController::begin_securing_or_attempt(Clock now)
{
    if (!settings_.lock_storage || storage_locked_) {
        begin_attempt(now);
        return;
    }
    // The volumes are suspended (or kept, per policy) before anyone may try to unlock: a
    // quick right answer must not leave the keys in the kernel.
    ++attempt_;
    phase_ = Phase::securing;
    retry_at_.reset();
    check_deadline_ = now + settings_.check_timeout;
    actions_.lock_storage(attempt_);
    actions_.changed();
}

void LockController::storage_done(const auth::StorageDone &done, Clock now)
{
    if (phase_ != Phase::securing || done.attempt != attempt_) {
        actions_.stop_broker();
        broker_failed(now, "Authentication is not available");
        return;
    }
    storage_locked_ = true;
    check_deadline_.reset();
    if (!done.ok) // the screen stays locked either way; the user should know
        set_message(done.text.empty() ? "Encrypted storage could not be locked" : done.text, true);
    begin_attempt(now);
}

void LockController::begin_attempt(Clock now)
{
    ++attempt_;
    answered_in_attempt_ = false;
    submit_pending_ = false;
    prompt_text_.clear();
    prompt_style_ = auth::PromptStyle::secret;
    phase_ = Phase::starting;
    retry_at_.reset();
    check_deadline_ = now + settings_.check_timeout;
    actions_.start_check(attempt_);
    actions_.changed();
}

Clock LockController::next_retry_wait()
{
    Clock wait = doubled(settings_.broker_retry_base, broker_failures_, settings_.broker_retry_max);
    ++broker_failures_;
    return wait;
}

void LockController::broker_failed(Clock now, const std::string &why)
{
    broker_up_ = false;
    // A broker lost mid-check may have opened volumes whose success never arrived (or was
    // not accepted): the next attempt suspends them again first.
    storage_locked_ = false;
    if (!locked())
        return;
    input_.clear();
    submit_pending_ = false;
    prompt_text_.clear();
    check_deadline_.reset();
    phase_ = Phase::broker_down;
    retry_at_ = now + next_retry_wait();
    set_message(why, true);
    actions_.changed();
}

void LockController::pause_then_retry(Clock now, const std::string &why)
{
    input_.clear();
    prompt_text_.clear();
    check_deadline_.reset();
    phase_ = Phase::broker_down; // no attempt until the wait is over
    retry_at_ = now + next_retry_wait();
    set_message(why, true);
    actions_.changed();
}

void LockController::broker_ready(Clock now)
{
    broker_up_ = true;
    if (phase_ != Phase::broker_down)
        return;
    if (retry_at_ && *retry_at_ > now)
        return; // a pause is running; tick() starts the attempt
    if (persistent_.backoff_until_ms > now.count()) {
        phase_ = Phase::backoff;
        actions_.changed();
        return;
    }
    begin_securing_or_attempt(now);
}

void LockController::broker_lost(Clock now)
{
    if (phase_ == Phase::backoff) {
        // A system broker idles out during a long wait: nothing is lost, and tick() starts
        // a new one when the wait ends.
        broker_up_ = false;
        return;
    }
    broker_failed(now, "Authentication is not available");
}

void LockController::prompt(const auth::Prompt &prompt, Clock now)
{
    if (!in_check() || prompt.attempt != attempt_) {
        // A prompt nobody asked for: the broker is not following the protocol.
        actions_.stop_broker();
        broker_failed(now, "Authentication is not available");
        return;
    }
    phase_ = Phase::prompting;
    prompt_text_ = prompt.text;
    prompt_style_ = prompt.style;
    check_deadline_.reset(); // the user may take as long as they like to type
    broker_failures_ = 0;
    if (message_ == "Checking...")
        set_message({}, false);
    if (submit_pending_) {
        submit_pending_ = false;
        submit(now);
    }
    actions_.changed();
}

void LockController::notice(const auth::Notice &notice)
{
    if (!locked() || notice.attempt != attempt_)
        return;
    set_message(notice.text, notice.is_error);
    actions_.changed();
}

void LockController::result(const auth::Result &result, Clock now)
{
    if (!in_check() || result.attempt != attempt_) {
        actions_.stop_broker();
        broker_failed(now, "Authentication is not available");
        return;
    }
    check_deadline_.reset();
    // A check that was answered and did not unlock may have opened volumes it could not close
    // again (a child that died after resuming them, a failed rollback): the lock policy is
    // applied again before the next attempt.
    if (result.status != auth::Status::success && answered_in_attempt_)
        storage_locked_ = false;
    switch (result.status) {
    case auth::Status::success:
        if (!answered_in_attempt_) {
            // Only what the user typed may unlock: a stack that succeeds without asking
            // (pam_permit) would turn the lock into decoration. Whatever that success opened
            // is suspended again before the next attempt.
            storage_locked_ = false;
            pause_then_retry(now, "Refused: the authentication service did not ask for anything");
            return;
        }
        force_unlock();
        return;
    case auth::Status::denied:
        ++persistent_.failures;
        set_message(result.text.empty() ? "Wrong password" : result.text, true);
        if (Clock wait = backoff_for(settings_, persistent_.failures); wait.count() > 0) {
            persistent_.backoff_until_ms = (now + wait).count();
            phase_ = Phase::backoff;
            prompt_text_.clear();
            input_.clear();
            save();
            actions_.changed();
            return;
        }
        save();
        begin_securing_or_attempt(now);
        return;
    case auth::Status::expired:
        set_message(result.text.empty() ? "Your password has expired" : result.text, true);
        begin_securing_or_attempt(now);
        return;
    case auth::Status::cancelled:
        if (!result.text.empty()) // e.g. the card reached its final try: why it asks again
            set_message(result.text, false);
        begin_securing_or_attempt(now);
        return;
    case auth::Status::unavailable:
    default:
        if (answered_in_attempt_) {
            // Counted like a wrong answer: a stack that fails "unavailable" on some inputs
            // must not become a way to guess without waits.
            ++persistent_.failures;
            if (Clock wait = backoff_for(settings_, persistent_.failures); wait.count() > 0)
                persistent_.backoff_until_ms = (now + wait).count();
            save();
        }
        pause_then_retry(now, result.text.empty() ||
                                      result.text.rfind("Authentication is not available", 0) == 0
                                  ? "Authentication is not available"
                                  : "Authentication is not available: " + result.text);
        return;
    }
}

void LockController::type(std::string_view utf8)
{
    if (!input_enabled() || utf8.empty())
        return;
    if (!input_.append(utf8))
        return; // full: further characters are dropped
    if (message_is_error_ || message_ == "Checking...")
        set_message({}, false);
    actions_.changed();
}

void LockController::erase_last()
{
    if (!input_enabled())
        return;
    input_.pop_codepoint();
    actions_.changed();
}

void LockController::clear_input()
{
    input_.clear();
    submit_pending_ = false;
    actions_.changed();
}

void LockController::submit(Clock now)
{
    if (phase_ == Phase::starting) {
        submit_pending_ = true; // sent as soon as the prompt is here
        set_message("Checking...", false);
        actions_.changed();
        return;
    }
    if (phase_ != Phase::prompting)
        return;
    answered_in_attempt_ = true;
    uint32_t attempt = attempt_;
    actions_.send_answer(attempt_, input_.view());
    input_.clear();
    if (phase_ != Phase::prompting || attempt != attempt_)
        return; // the send failed and the broker is already reported lost
    phase_ = Phase::checking;
    check_deadline_ = now + settings_.check_timeout;
    set_message("Checking...", false);
    actions_.changed();
}

void LockController::tick(Clock now)
{
    if (check_deadline_ && now >= *check_deadline_) {
        // Silent past the timeout: treat as hung. Kill it now; a new one comes after a wait.
        check_deadline_.reset();
        actions_.stop_broker();
        broker_failed(now, "Authentication is not available: the check took too long");
    }
    if (phase_ == Phase::backoff && persistent_.backoff_until_ms <= now.count()) {
        persistent_.backoff_until_ms = 0;
        save();
        phase_ = Phase::broker_down;
        if (broker_up_)
            begin_securing_or_attempt(now);
        else
            actions_.restart_broker();
        actions_.changed();
    }
    if (phase_ == Phase::broker_down && retry_at_ && now >= *retry_at_) {
        retry_at_.reset();
        if (persistent_.backoff_until_ms > now.count())
            phase_ = Phase::backoff;
        else if (broker_up_)
            begin_securing_or_attempt(now);
        else
            actions_.restart_broker();
        actions_.changed();
    }
}

std::optional<Clock> LockController::next_deadline() const
{
    std::optional<Clock> next = check_deadline_;
    auto consider = [&next](Clock at) { next = next ? std::min(*next, at) : at; };
    if (retry_at_)
        consider(*retry_at_);
    if (phase_ == Phase::backoff)
        consider(Clock{persistent_.backoff_until_ms});
    return next;
}

unsigned LockController::seconds_to_wait(Clock now) const
{
    Clock until{0};
    if (phase_ == Phase::backoff)
        until = Clock{persistent_.backoff_until_ms};
    else if (phase_ == Phase::broker_down && retry_at_)
        until = *retry_at_;
    if (until <= now)
        return 0;
    return static_cast<unsigned>((until - now).count() + 999) / 1000;
}

std::string LockController::visible_answer() const
{
    if (prompt_style_ != auth::PromptStyle::visible)
        return {};
    return {input_.data(), input_.size()};
}

} // namespace rampart::lockscreen
