#include "control/control_socket.hpp"

#include "util/log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

namespace rampart::control {

namespace {

// journalctl MESSAGE_ID=... lists every refused control connection.
constexpr const char *message_peer_refused = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f4e01";

// Reads per wakeup are bounded, so one busy client cannot starve the rest of the loop.
constexpr size_t read_chunk = 4096;
constexpr int accepts_per_wakeup = 32;
// Connections waiting for accept(); bursts beyond it make connect() fail with EAGAIN.
constexpr int listen_backlog = 32;

std::string errno_text()
{
    return std::strerror(errno);
}

std::string format(const char *pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *pattern, ...)
{
    va_list args;
    va_start(args, pattern);
    std::string text = log::vformat(pattern, args);
    va_end(args);
    return text;
}

bool fail(std::string *error, const std::string &text)
{
    if (error)
        *error = text;
    return false;
}

// The directory must be a real directory (not a symlink), ours, and closed to everyone
// else: anyone who could write there could swap our socket for theirs.
bool prepare_directory(const std::string &directory, std::string *error)
{
    bool created = mkdir(directory.c_str(), 0700) == 0;
    if (!created && errno != EEXIST)
        return fail(error, "cannot create " + directory + ": " + errno_text());
    UniqueFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ELOOP || errno == ENOTDIR)
            return fail(error, directory + " is not a directory (or is a symbolic link)");
        return fail(error, "cannot open " + directory + ": " + errno_text());
    }
    struct stat info {};
    if (fstat(fd.get(), &info) < 0)
        return fail(error, "cannot inspect " + directory + ": " + errno_text());
    if (info.st_uid != geteuid())
        return fail(error, directory + " belongs to another user");
    // A fresh directory may have lost bits to the umask; it never gains any.
    if (created && fchmod(fd.get(), 0700) < 0)
        return fail(error, "cannot set the mode of " + directory + ": " + errno_text());
    if (!created && (info.st_mode & 077))
        return fail(error, directory + " is accessible to group or others; refusing to use it");
    return true;
}

} // namespace

struct ControlSocket::Client {
    ControlSocket *owner = nullptr;
    UniqueFd fd;
    EventSource source; // declared after fd: removed before the fd closes
    Peer peer{};
    std::string input, output;
    uint32_t mask = WL_EVENT_READABLE;
    bool peer_closed = false; // the peer shut down writing: flush the replies, then close
};

ControlSocket::ControlSocket(Key, wl_event_loop *loop, std::string path, Handler handler)
    : loop_(loop), path_(std::move(path)), lock_path_(path_ + ".lock"), handler_(std::move(handler))
{
}

std::unique_ptr<ControlSocket> ControlSocket::create(wl_event_loop *loop, const std::string &path,
                                                     Handler handler, std::string *error)
{
    size_t slash = path.rfind('/');
    if (path.empty() || path[0] != '/' || slash == 0 || slash + 1 == path.size()) {
        fail(error, "control socket path must be /directory/name: " + path);
        return nullptr;
    }
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        fail(error, "control socket path is too long: " + path);
        return nullptr;
    }
    if (!prepare_directory(path.substr(0, slash), error))
        return nullptr;
    auto socket = std::make_unique<ControlSocket>(Key{}, loop, path, std::move(handler));
    if (!socket->bind_and_listen(error))
        return nullptr; // the destructor removes what was made
    log::info("control socket: listening on %s", path.c_str());
    return socket;
}

bool ControlSocket::bind_and_listen(std::string *error)
{
    // The lock keeps a second Rampart from unlinking a live socket, as libwayland does.
    UniqueFd lock(open(lock_path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock)
        return fail(error, "cannot open " + lock_path_ + ": " + errno_text());
    if (flock(lock.get(), LOCK_EX | LOCK_NB) < 0)
        return fail(error, "another Rampart already uses " + path_);
    lock_fd_ = std::move(lock);

    // We hold the lock, so a socket left here is stale.
    struct stat info {};
    if (lstat(path_.c_str(), &info) == 0) {
        if (!S_ISSOCK(info.st_mode))
            return fail(error, path_ + " exists and is not a socket");
        if (unlink(path_.c_str()) < 0)
            return fail(error, "cannot remove stale " + path_ + ": " + errno_text());
    }

    listen_fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listen_fd_)
        return fail(error, "cannot create a socket: " + errno_text());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (bind(listen_fd_.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) < 0)
        return fail(error, "cannot bind " + path_ + ": " + errno_text());
    bound_ = true;
    // Nobody can reach the socket before this: its directory is ours alone.
    if (chmod(path_.c_str(), 0600) < 0)
        return fail(error, "cannot set the mode of " + path_ + ": " + errno_text());
    if (listen(listen_fd_.get(), listen_backlog) < 0)
        return fail(error, "cannot listen on " + path_ + ": " + errno_text());
    listen_source_.reset(
        wl_event_loop_add_fd(loop_, listen_fd_.get(), WL_EVENT_READABLE, on_listen_fd, this));
    if (!listen_source_)
        return fail(error, "cannot watch " + path_ + " on the event loop");
    return true;
}

ControlSocket::~ControlSocket()
{
    clients_.clear();
    listen_source_.reset();
    listen_fd_.reset();
    if (bound_)
        unlink(path_.c_str());
    if (lock_fd_)
        unlink(lock_path_.c_str());
}

int ControlSocket::on_listen_fd(int, uint32_t, void *data)
{
    static_cast<ControlSocket *>(data)->accept_pending();
    return 0;
}

int ControlSocket::on_client_fd(int, uint32_t mask, void *data)
{
    auto *client = static_cast<Client *>(data);
    client->owner->service(*client, mask);
    return 0;
}

void ControlSocket::accept_pending()
{
    for (int i = 0; i < accepts_per_wakeup; ++i) {
        UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log::warning("control socket: accept failed: %s", errno_text().c_str());
            return;
        }
        ucred credentials{};
        socklen_t length = sizeof credentials;
        if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0 ||
            length != sizeof credentials) {
            log::warning("control socket: no peer credentials, connection closed");
            continue;
        }
        // The socket's mode already keeps others out; this holds even if it were loosened.
        if (credentials.uid != geteuid()) {
            log::security_event(log::Level::warning, message_peer_refused,
                                format("control socket: refused pid %d uid %u: "
                                       "not our user",
                                       static_cast<int>(credentials.pid),
                                       static_cast<unsigned>(credentials.uid)),
                                {"PEER_PID=" + std::to_string(credentials.pid),
                                 "PEER_UID=" + std::to_string(credentials.uid)});
            continue;
        }
        // Clients that are gone but not yet noticed must not hold slots against this one.
        if (clients_.size() >= max_clients)
            reap();
        if (clients_.size() >= max_clients) {
            // Best effort on a fresh socket, so rampartctl can say why.
            static constexpr std::string_view busy = "error: too many control clients\n";
            send(fd.get(), busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            log::warning("control socket: %zu clients already, closed the one from pid %d",
                         clients_.size(), static_cast<int>(credentials.pid));
            continue;
        }
        auto client = std::make_unique<Client>();
        client->owner = this;
        client->peer = {credentials.pid, credentials.uid, credentials.gid};
        client->source.reset(
            wl_event_loop_add_fd(loop_, fd.get(), WL_EVENT_READABLE, on_client_fd, client.get()));
        if (!client->source) {
            log::warning("control socket: cannot watch a client on the event loop");
            continue;
        }
        client->fd = std::move(fd);
        clients_.push_back(std::move(client));
    }
}

void ControlSocket::reap()
{
    std::vector<Client *> snapshot;
    for (const auto &client : clients_)
        snapshot.push_back(client.get());
    // service() may remove only the client it serves, so the other pointers stay valid.
    for (Client *client : snapshot)
        service(*client, WL_EVENT_READABLE);
}

void ControlSocket::service(Client &client, uint32_t mask)
{
    bool keep = !(mask & (WL_EVENT_ERROR | WL_EVENT_HANGUP));
    if (keep && (mask & WL_EVENT_READABLE))
        keep = read_requests(client);
    if (keep)
        keep = flush(client);
    if (!keep)
        remove(client);
}

bool ControlSocket::read_requests(Client &client)
{
    char buffer[read_chunk];
    ssize_t count = recv(client.fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (count < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (count == 0) {
        // An unfinished last line is dropped: only whole lines are requests.
        client.peer_closed = true;
        client.input.clear();
        return true;
    }
    client.input.append(buffer, static_cast<size_t>(count));
    size_t start = 0;
    for (size_t end; (end = client.input.find('\n', start)) != std::string::npos; start = end + 1) {
        if (end - start + 1 > max_line) {
            log::warning("control socket: pid %d sent an over-long line; closed",
                         static_cast<int>(client.peer.pid));
            return false;
        }
        answer(client, std::string_view(client.input).substr(start, end - start));
        // Keeps memory bounded while a client sends many requests and reads nothing.
        if (client.output.size() > max_pending_output && !flush(client))
            return false;
    }
    client.input.erase(0, start);
    if (client.input.size() >= max_line) {
        log::warning("control socket: pid %d sent an over-long line; closed",
                     static_cast<int>(client.peer.pid));
        return false;
    }
    return true;
}

void ControlSocket::answer(Client &client, std::string_view line)
{
    std::string why;
    auto words = parse_request(line, &why);
    std::string reply;
    if (!words) {
        reply = "error: " + why;
    } else {
        try {
            reply = handler_(*words, client.peer);
        } catch (const std::exception &exception) {
            log::error("control socket: handler failed on \"%s\": %s", (*words)[0].c_str(),
                       exception.what());
            reply = "error: internal error";
        }
        std::string safe = sanitize_reply(reply);
        if (safe != reply)
            log::warning("control socket: handler's reply to \"%s\" was not a clean reply line",
                         (*words)[0].c_str());
        reply = std::move(safe);
    }
    client.output += reply;
    client.output += '\n';
}

bool ControlSocket::flush(Client &client)
{
    while (!client.output.empty()) {
        ssize_t count = send(client.fd.get(), client.output.data(), client.output.size(),
                             MSG_DONTWAIT | MSG_NOSIGNAL);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return false; // EPIPE and friends: the peer is gone
        }
        client.output.erase(0, static_cast<size_t>(count));
    }
    if (client.output.size() > max_pending_output) {
        log::warning("control socket: pid %d does not read its replies; dropped",
                     static_cast<int>(client.peer.pid));
        return false;
    }
    if (client.peer_closed && client.output.empty())
        return false;
    // Level-triggered: stop asking for reads after EOF, ask for writes only while pending.
    uint32_t mask = (client.peer_closed ? 0 : WL_EVENT_READABLE) |
                    (client.output.empty() ? 0 : WL_EVENT_WRITABLE);
    if (mask != client.mask) {
        wl_event_source_fd_update(client.source.get(), mask);
        client.mask = mask;
    }
    return true;
}

void ControlSocket::remove(Client &client)
{
    std::erase_if(clients_, [&](const auto &entry) { return entry.get() == &client; });
}

} // namespace rampart::control
