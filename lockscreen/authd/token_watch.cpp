#include "token_watch.hpp"

#include "token_types.hpp"
#include "token_unlock.hpp"
#include "util/log.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace rampart::authd {

namespace {
constexpr char answer_present = 'p', answer_absent = 'a', answer_unknown = '?';

char look_for(const config::StorageConfig &storage, const std::string &uri)
{
    std::vector<std::string> problems;
    const std::vector<storage::TokenInfo> tokens = storage::present_tokens(storage, &problems);
    if (std::any_of(tokens.begin(), tokens.end(),
                    [&](const storage::TokenInfo &token) { return token.uri == uri; }))
        return answer_present;
    // A module that could not be asked says nothing about the card: never report it gone.
    return problems.empty() ? answer_absent : answer_unknown;
}
} // namespace

std::vector<std::uint8_t> unlocked_token_frame(std::uint32_t attempt,
                                               const storage::TokenInfo &token)
{
    return auth::encode(auth::StorageDone{attempt, true, token.uri + "\n" + token.label});
}

std::optional<UnlockedToken> parse_unlocked_token(const auth::StorageDone &frame)
{
    const auto cut = frame.text.find('\n');
    if (!frame.ok || cut == std::string::npos || cut == 0 ||
        frame.text.compare(0, 7, "pkcs11:") != 0)
        return std::nullopt;
    return UnlockedToken{frame.text.substr(0, cut), frame.text.substr(cut + 1)};
}

std::unique_ptr<TokenProbe> TokenProbe::spawn(const config::StorageConfig &storage,
                                              const std::string &uri, int close_in_child)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return nullptr;
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return nullptr;
    }
    if (pid == 0) {
        // As the PAM child: dies with the broker, never sees the compositor, _exit only.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
            _exit(1);
        prctl(PR_SET_NAME, "rampart-authd-card", 0, 0, 0);
        setpgid(0, 0); // a group of its own: helpers a module starts die with it
        close(close_in_child);
        close(pipe_fds[0]);
        char answer = answer_unknown;
        try {
            answer = look_for(storage, uri);
        } catch (...) {
        }
        while (write(pipe_fds[1], &answer, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    setpgid(pid, pid);
    close(pipe_fds[1]);
    return std::make_unique<TokenProbe>(Forked{}, pid, pipe_fds[0]);
}

TokenProbe::~TokenProbe()
{
    close(fd_);
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

TokenProbe::Answer TokenProbe::answer()
{
    char byte = answer_unknown;
    ssize_t got;
    do {
        got = read(fd_, &byte, 1);
    } while (got < 0 && errno == EINTR);
    if (got != 1)
        return Answer::unknown; // died before answering
    return byte == answer_present  ? Answer::present
           : byte == answer_absent ? Answer::absent
                                   : Answer::unknown;
}

void TokenWatch::watch(UnlockedToken token)
{
    log::debug("watching the card \"%s\" for removal", token.label.c_str());
    token_ = std::move(token);
    probe_.reset();
    next_look_ = Clock::now() + token_probe_interval;
    unknown_looks_ = 0;
}

void TokenWatch::stop()
{
    if (token_)
        log::debug("no longer watching the card \"%s\"", token_->label.c_str());
    token_.reset();
    probe_.reset();
}

void TokenWatch::pause()
{
    if (probe_) {
        probe_.reset();
        next_look_ = Clock::now() + token_probe_interval;
    }
}

int TokenWatch::timeout_ms(bool busy) const
{
    if (!token_ || (busy && !probe_))
        return -1;
    const Clock::time_point due = probe_ ? probe_->started() + token_probe_timeout : next_look_;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, token_probe_timeout.count()));
}

std::optional<auth::Event> TokenWatch::on_due(bool busy, const config::StorageConfig &storage,
                                              int peer_fd)
{
    if (!token_)
        return std::nullopt;
    const Clock::time_point now = Clock::now();
    if (probe_) {
        if (now - probe_->started() < token_probe_timeout)
            return std::nullopt;
        probe_.reset();
        next_look_ = now + token_probe_interval;
        return cannot_tell("the look took too long and was killed");
    }
    if (busy || now < next_look_)
        return std::nullopt;
    probe_ = TokenProbe::spawn(storage, token_->uri, peer_fd);
    if (probe_)
        return std::nullopt;
    next_look_ = now + token_probe_interval; // fork failed: no look, so no answer either
    return cannot_tell("cannot fork a look");
}

std::optional<auth::Event> TokenWatch::cannot_tell(const char *why)
{
    ++unknown_looks_;
    log::warning("token: cannot tell whether the card \"%s\" is still present (%s; %d of %d)",
                 token_->label.c_str(), why, unknown_looks_, token_unknown_limit);
    if (unknown_looks_ < token_unknown_limit)
        return std::nullopt;
    return gone("can no longer be checked");
}

std::optional<auth::Event> TokenWatch::gone(const std::string &what)
{
    const std::string card =
        token_->label.empty() ? std::string("The card") : "The card \"" + token_->label + "\"";
    log::info("rampart-authd: the card that unlocked the session %s", what.c_str());
    auth::Event event{0, auth::EventKind::token_removed,
                      auth::sanitize_text(card + " " + what + ".")};
    token_.reset();
    return event;
}

std::optional<auth::Event> TokenWatch::on_readable()
{
    if (!probe_ || !token_)
        return std::nullopt;
    const TokenProbe::Answer answer = probe_->answer();
    probe_.reset();
    next_look_ = Clock::now() + token_probe_interval;
    switch (answer) {
    case TokenProbe::Answer::present: unknown_looks_ = 0; return std::nullopt;
    case TokenProbe::Answer::unknown: return cannot_tell("no PKCS#11 module could be asked");
    case TokenProbe::Answer::absent: break;
    }
    return gone("was removed");
}

} // namespace rampart::authd
