#include "session.hpp"

#include "hardening.hpp"
#include "journal.hpp"
#include "util/log.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <type_traits>
#include <variant>

namespace rampart::authd {
namespace {

const char *type_name(const auth::Message &message)
{
    return std::visit(
        [](const auto &value) -> const char * {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, auth::Start>)
                return "start";
            else if constexpr (std::is_same_v<T, auth::Prompt>)
                return "prompt";
            else if constexpr (std::is_same_v<T, auth::Notice>)
                return value.is_error ? "error" : "info";
            else if constexpr (std::is_same_v<T, auth::Result>)
                return "result";
            else if constexpr (std::is_same_v<T, auth::Cancel>)
                return "cancel";
            else
                return "answer";
        },
        message);
}

const char *status_name(auth::Status status)
{
    switch (status) {
    case auth::Status::success: return "success";
    case auth::Status::denied: return "denied";
    case auth::Status::unavailable: return "unavailable";
    case auth::Status::expired: return "expired";
    case auth::Status::cancelled: return "cancelled";
    }
    return "unknown";
}

// Sleeps the whole span, signals or not. Nothing is read from the peer meanwhile: what it
// sends waits in the socket.
void sleep_for(std::chrono::microseconds span)
{
    timespec until{};
    clock_gettime(CLOCK_MONOTONIC, &until);
    const auto usec = span.count();
    until.tv_sec += static_cast<time_t>(usec / 1000000);
    until.tv_nsec += static_cast<long>(usec % 1000000) * 1000;
    if (until.tv_nsec >= 1000000000L) {
        ++until.tv_sec;
        until.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

} // namespace

Session::Session(int connection_fd, SessionConfig config)
    : config_(std::move(config)), peer_(connection_fd)
{
}

int Session::poll_timeout_ms() const
{
    const int watch = watch_.timeout_ms(child_ != nullptr);
    // Watching a card is not idle: the instance must stay to report its removal.
    if (child_ || !config_.idle_timeout || watch_.active())
        return watch;
    const auto left = *config_.idle_timeout - (std::chrono::steady_clock::now() - idle_since_);
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const int idle = static_cast<int>(std::clamp<decltype(ms)>(ms, 0, 24 * 3600 * 1000));
    return watch < 0 ? idle : std::min(idle, watch);
}

int Session::run()
{
    for (;;) {
        pollfd watched[3] = {{peer_.fd(), POLLIN | POLLRDHUP, 0},
                             {child_ ? child_->channel().fd() : -1, POLLIN, 0},
                             {watch_.fd(), POLLIN, 0}};
        const int ready = poll(watched, 3, poll_timeout_ms());
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            log::error("poll: %s", strerror(errno));
            return 1;
        }
        if (ready == 0 && !child_ && config_.idle_timeout && !watch_.active() &&
            std::chrono::steady_clock::now() - idle_since_ >= *config_.idle_timeout) {
            log::info("rampart-authd: no check started for %lld ms: closing the connection",
                      static_cast<long long>(config_.idle_timeout->count()));
            return 0;
        }
        Step step = Step::carry_on;
        // The child first: a result it already sent is delivered even if the peer then left.
        if (watched[1].revents)
            step = on_child_readable();
        if (step == Step::carry_on && watched[0].revents)
            step = on_peer_readable();
        // Last: a `start` read above has already ended the watch (and closed that look's
        // pipe, whose number a new descriptor may now have), so no event follows a start.
        if (step == Step::carry_on && watched[2].revents && watched[2].fd == watch_.fd())
            step = on_watch_readable();
        if (step == Step::carry_on)
            step = report_watch(watch_.on_due(child_ != nullptr, config_.storage, peer_.fd()));
        if (step == Step::peer_gone) {
            if (child_)
                log::debug("peer gone: killing the PAM child %d", static_cast<int>(child_->pid()));
            end_check_early(); // a new connection must not come sooner than a result would
            return 0;
        }
        if (step == Step::violation) {
            end_check_early();
            return 1;
        }
    }
}

void Session::end_check_early()
{
    if (!child_)
        return;
    const bool answered = child_->answered;
    const auto requested = child_->requested_fail_delay();
    child_.reset();
    if (!answered)
        return; // nothing was guessed
    const auto hold = std::max<std::chrono::microseconds>(requested, min_abandoned_check_delay);
    log::debug("answered check ended early: holding %lld ms",
               static_cast<long long>(std::chrono::ceil<std::chrono::milliseconds>(hold).count()));
    sleep_for(hold);
}

Session::Step Session::violation(const std::string &why)
{
    journal::protocol_violation(config_.peer_pid, why);
    return Step::violation;
}

Session::Step Session::on_peer_readable()
{
    if (!peer_.receive()) {
        if (peer_.decoder().failed())
            return violation(peer_.decoder().failure());
        return Step::peer_gone;
    }
    while (auto message = peer_.decoder().next()) {
        const Step step = on_peer_message(*message);
        peer_.decoder().wipe_answer();
        if (step != Step::carry_on)
            return step;
    }
    scrub_stack();
    if (peer_.decoder().failed())
        return violation(peer_.decoder().failure());
    return Step::carry_on;
}

Session::Step Session::on_peer_message(const auth::Message &message)
{
    if (const auto *start = std::get_if<auth::Start>(&message)) {
        if (child_)
            return violation("start while a check is running");
        return start_check(*start);
    }
    if (const auto *answer = std::get_if<auth::AnswerReceived>(&message)) {
        if (!child_ || !child_->prompt_pending)
            return violation("answer without a pending prompt");
        if (answer->attempt != attempt_)
            return violation("answer for another attempt");
        child_->prompt_pending = false;
        child_->answered = true;
        // The answer's only stay in this process: the decoder's buffers and this frame,
        // all locked and wiped as soon as the child has it.
        const bool framed =
            auth::encode_answer(answer->attempt, peer_.decoder().answer_secret(), answer_frame_);
        if (framed)
            child_->channel().send(answer_frame_); // a dead child shows up as end of stream
        answer_frame_.clear();
        return Step::carry_on;
    }
    if (const auto *request = std::get_if<auth::StorageRequest>(&message)) {
        if (child_)
            return violation("storage request while a check is running");
        return start_storage_job(*request);
    }
    if (const auto *cancel = std::get_if<auth::Cancel>(&message)) {
        if (child_ && cancel->attempt == attempt_) {
            // A `start` sent meanwhile stays queued in the socket until the result is out.
            end_check_early();
            return finish_check({attempt_, auth::Status::cancelled, 0, ""});
        }
        // A cancel crossing the result on the wire is harmless.
        if (!child_ && finished_attempt_ == cancel->attempt)
            return Step::carry_on;
        return violation("cancel for no running check");
    }
    return violation(std::string("the compositor may not send ") + type_name(message));
}

Session::Step Session::start_check(const auth::Start &start)
{
    // A new lock began: the card that unlocked the last one is no longer watched.
    watch_.stop();
    check_token_.reset();
    attempt_ = start.attempt;
    log::debug("check %u started", start.attempt);
    if (start.method == auth::Method::token)
        return finish_check(
            {start.attempt, auth::Status::unavailable, 0, "Smartcard unlock is not available."});
    storage_job_ = false;
    child_ = PamChild::spawn(
        {config_.service, config_.user, start.attempt, config_.storage, {}, start.method},
        peer_.fd());
    if (!child_) {
        journal::auth_unavailable(config_.user, "cannot fork the PAM child");
        return finish_check(
            {start.attempt, auth::Status::unavailable, 0, "Authentication is not available."});
    }
    return Step::carry_on;
}

Session::Step Session::start_storage_job(const auth::StorageRequest &request)
{
    if (request.op == auth::StorageOp::lock)
        watch_.stop(); // the screen is locking: the watch has done its job
    else
        watch_.pause(); // no card look beside a storage job; it resumes afterwards
    attempt_ = request.attempt;
    storage_job_ = true;
    child_ = PamChild::spawn(
        {config_.service, config_.user, request.attempt, config_.storage, request}, peer_.fd());
    if (!child_) {
        storage_job_ = false;
        return peer_.send(auth::encode(auth::StorageDone{request.attempt, false,
                                                         "The storage service could not start."}))
                   ? Step::carry_on
                   : Step::peer_gone;
    }
    return Step::carry_on;
}

Session::Step Session::on_child_readable()
{
    const bool open = child_->channel().receive();
    while (child_) {
        auto message = child_->channel().decoder().next();
        if (!message)
            break;
        const Step step = on_child_message(*message);
        if (step != Step::carry_on)
            return step;
    }
    if (!child_)
        return Step::carry_on;
    if (open && !child_->channel().decoder().failed())
        return Step::carry_on;
    // The child died or broke the framing before its result: the check could not run.
    return child_failed("the child ended without a result");
}

Session::Step Session::child_failed(const char *why)
{
    journal::auth_unavailable(config_.user, why);
    end_check_early();
    if (!storage_job_)
        return finish_check(
            {attempt_, auth::Status::unavailable, 0, "The authentication service failed."});
    // A storage job gets a storage answer: a `result` there would be a protocol violation to
    // the compositor, which would restart the broker and ask again, forever, if the job
    // keeps failing. The screen stays locked and says so; the user can still unlock.
    storage_job_ = false;
    idle_since_ = std::chrono::steady_clock::now();
    return peer_.send(
               auth::encode(auth::StorageDone{attempt_, false, "The storage service failed."}))
               ? Step::carry_on
               : Step::peer_gone;
}

Session::Step Session::on_child_message(const auth::Message &message)
{
    const auto broken = [this](const char *why) { return child_failed(why); };
    const auto *done = std::get_if<auth::StorageDone>(&message);
    if (done && !storage_job_) {
        // From a check child it names the card that is about to unlock (token_watch.hpp):
        // kept for the watch, never forwarded.
        if (done->attempt != attempt_ || check_token_)
            return broken("the check child sent an unexpected token report");
        check_token_ = parse_unlocked_token(*done);
        if (!check_token_)
            return broken("the check child sent a malformed token report");
        return Step::carry_on;
    }
    if (done) {
        if (done->attempt != attempt_)
            return broken("the child sent an unexpected storage answer");
        child_.reset();
        storage_job_ = false;
        idle_since_ = std::chrono::steady_clock::now();
        return peer_.send(auth::encode(*done)) ? Step::carry_on : Step::peer_gone;
    }
    if (storage_job_)
        return broken("the storage child sent a message it may not send");
    if (const auto *prompt = std::get_if<auth::Prompt>(&message)) {
        if (prompt->attempt != attempt_ || child_->prompt_pending)
            return broken("the PAM child sent an unexpected prompt");
        child_->prompt_pending = true;
        return peer_.send(auth::encode(*prompt)) ? Step::carry_on : Step::peer_gone;
    }
    if (const auto *notice = std::get_if<auth::Notice>(&message)) {
        if (notice->attempt != attempt_)
            return broken("the PAM child sent a message for another attempt");
        return peer_.send(auth::encode(*notice)) ? Step::carry_on : Step::peer_gone;
    }
    if (const auto *result = std::get_if<auth::Result>(&message)) {
        if (result->attempt != attempt_)
            return broken("the PAM child sent a result for another attempt");
        child_.reset();
        if (result->status == auth::Status::success && check_token_)
            watch_.watch(std::move(*check_token_));
        return finish_check(*result);
    }
    return broken("the PAM child sent a message it may not send");
}

Session::Step Session::on_watch_readable()
{
    return report_watch(watch_.on_readable());
}

Session::Step Session::report_watch(const std::optional<auth::Event> &removed)
{
    if (!removed)
        return Step::carry_on;
    idle_since_ = std::chrono::steady_clock::now(); // the idle clock starts when the watch ends
    return peer_.send(auth::encode(*removed)) ? Step::carry_on : Step::peer_gone;
}

Session::Step Session::finish_check(const auth::Result &result)
{
    check_token_.reset();
    finished_attempt_ = result.attempt;
    idle_since_ = std::chrono::steady_clock::now();
    switch (result.status) {
    case auth::Status::success: journal::auth_succeeded(config_.user, result.attempt); break;
    case auth::Status::unavailable: break; // journaled where the cause is known
    default: journal::auth_failed(config_.user, result.attempt, status_name(result.status)); break;
    }
    log::debug("check %u: %s, delay %u ms", result.attempt, status_name(result.status),
               result.delay_ms);
    return peer_.send(auth::encode(result)) ? Step::carry_on : Step::peer_gone;
}

} // namespace rampart::authd
