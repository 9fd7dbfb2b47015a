#include "lock/auth_link.hpp"

#include "util/log.hpp"
#include "util/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

extern char **environ;

namespace rampart {

AuthLink::AuthLink(wl_event_loop *loop, AuthLinkOptions options, AuthLinkHandler &handler)
    : loop_(loop), options_(std::move(options)), handler_(handler)
{
}

AuthLink::~AuthLink()
{
    stop();
}

void AuthLink::stop()
{
    if (source_) {
        wl_event_source_remove(source_);
        source_ = nullptr;
    }
    if (fd_ >= 0) {
        close(fd_);
        fd_ = -1;
    }
    if (pid_ > 0) {
        // Our own child: it holds nothing we need, and a hung PAM module must not outlive it.
        kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
    decoder_ = std::make_unique<auth::Decoder>(); // nothing half-read carries over
}

void AuthLink::restart()
{
    stop();
    std::string why;
    bool up =
        options_.mode == AuthLinkOptions::Mode::spawn ? spawn_broker(why) : connect_service(why);
    if (!up) {
        stop();
        handler_.auth_lost(why);
        return;
    }
    source_ = wl_event_loop_add_fd(loop_, fd_, WL_EVENT_READABLE, on_fd, this);
    handler_.auth_ready();
}

bool AuthLink::spawn_broker(std::string &why)
{
    if (options_.authd_path.empty()) {
        why = "no rampart-authd configured";
        return false;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        why = std::string("socketpair: ") + std::strerror(errno);
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], 3); // dup2 clears close-on-exec
    std::vector<const char *> argv = {options_.authd_path.c_str(), "--fd", "3"};
    if (!options_.config_path.empty() && options_.config_path.front() == '/') {
        argv.push_back("--config");
        argv.push_back(options_.config_path.c_str());
    }
    argv.push_back(nullptr);
    pid_t pid = -1;
    int result = spawn_clean(pid, options_.authd_path.c_str(), argv.data(), &actions);
    posix_spawn_file_actions_destroy(&actions);
    close(pair[1]);
    if (result != 0) {
        close(pair[0]);
        why = "cannot start " + options_.authd_path + ": " + std::strerror(result);
        return false;
    }
    fd_ = pair[0];
    pid_ = pid;
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    return true;
}

bool AuthLink::connect_service(std::string &why)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (options_.socket_path.size() >= sizeof address.sun_path) {
        why = "authd socket path too long";
        return false;
    }
    std::memcpy(address.sun_path, options_.socket_path.c_str(), options_.socket_path.size() + 1);
    // Non-blocking: a full listen queue must not stall the compositor (it is retried later).
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        why = "cannot reach " + options_.socket_path + ": " + std::strerror(errno);
        return false;
    }
    // Only root's service may answer: a socket some user put there must not decide unlocks.
    ucred peer{};
    socklen_t length = sizeof peer;
    if (getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || peer.uid != 0) {
        why = options_.socket_path + " is not served by root";
        return false;
    }
    return true;
}

bool AuthLink::write_all(const void *data, std::size_t size)
{
    const auto *bytes = static_cast<const char *>(data);
    while (size > 0) {
        ssize_t n = ::send(fd_, bytes, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) // frames are tiny: a full socket buffer means the broker is stuck
            return false;
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool AuthLink::send(const std::vector<std::uint8_t> &frame)
{
    if (fd_ < 0)
        return false;
    if (!write_all(frame.data(), frame.size())) {
        lose("cannot write to rampart-authd");
        return false;
    }
    return true;
}

bool AuthLink::send_answer(std::uint32_t attempt, std::span<const char> secret)
{
    if (fd_ < 0)
        return false;
    secure::SecretBuffer frame(auth::header_size + 4 + 2 + auth::max_secret);
    if (!auth::encode_answer(attempt, secret, frame)) {
        // Too long to be anyone's password: send an empty answer so the check fails normally.
        if (!auth::encode_answer(attempt, {}, frame))
            return false;
    }
    bool written = write_all(frame.data(), frame.size());
    frame.clear();
    if (!written) {
        lose("cannot write to rampart-authd");
        return false;
    }
    return true;
}

int AuthLink::on_fd(int, std::uint32_t mask, void *data)
{
    static_cast<AuthLink *>(data)->handle_readable(mask);
    return 0;
}

void AuthLink::handle_readable(std::uint32_t mask)
{
    // At most one frame per read: the decoder holds a frame and a partial one, no more.
    std::uint8_t buffer[auth::header_size + auth::max_payload];
    ssize_t n = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    (void)mask; // a hangup shows as end of file below, after any last frames
    if (n <= 0) {
        lose(n == 0 ? "rampart-authd closed the connection" : "rampart-authd connection failed");
        return;
    }
    if (!decoder_->feed({buffer, static_cast<std::size_t>(n)})) {
        lose("rampart-authd sent a malformed message: " + decoder_->failure());
        return;
    }
    while (fd_ >= 0) {
        std::optional<auth::Message> message = decoder_->next();
        if (!message) {
            if (decoder_->failed())
                lose("rampart-authd sent a malformed message: " + decoder_->failure());
            return;
        }
        if (std::holds_alternative<auth::Start>(*message) ||
            std::holds_alternative<auth::AnswerReceived>(*message) ||
            std::holds_alternative<auth::Cancel>(*message)) {
            decoder_->wipe_answer();
            lose("rampart-authd sent a request only the compositor may send");
            return;
        }
        handler_.auth_message(*message); // may stop() or restart() this link
    }
}

void AuthLink::lose(const std::string &why)
{
    log::warning("lock: %s", why.c_str());
    stop();
    handler_.auth_lost(why);
}

} // namespace rampart
