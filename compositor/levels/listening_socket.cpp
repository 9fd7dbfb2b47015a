#include "levels/listening_socket.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace rampart {

namespace {

std::string parent_of(const std::string &path)
{
    size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string errno_text()
{
    return std::strerror(errno);
}

template <typename Id> bool parse_number(const std::string &text, Id &id)
{
    unsigned long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return false;
    id = static_cast<Id>(value);
    return true;
}

// The socket's directory must be a real directory that only its owner (us or root) can
// change: otherwise someone else could swap our socket for theirs.
bool check_directory(const std::string &directory, gid_t group, bool group_access,
                     std::string &error)
{
    struct stat info {};
    if (lstat(directory.c_str(), &info) < 0) {
        if (errno != ENOENT) {
            error = "cannot inspect " + directory + ": " + errno_text();
            return false;
        }
        // Made here: traversable by the socket's group only when it needs to be.
        if (mkdir(directory.c_str(), group_access ? 0710 : 0700) < 0) {
            error = "cannot create " + directory + ": " + errno_text();
            return false;
        }
        if (group_access && chown(directory.c_str(), static_cast<uid_t>(-1), group) < 0) {
            error = "cannot give " + directory + " to its group: " + errno_text();
            return false;
        }
        if (lstat(directory.c_str(), &info) < 0) {
            error = "cannot inspect " + directory + ": " + errno_text();
            return false;
        }
    }
    if (!S_ISDIR(info.st_mode)) {
        error = directory + " is not a directory (or is a symbolic link)";
        return false;
    }
    if (info.st_uid != geteuid() && info.st_uid != 0) {
        error = directory + " belongs to another user";
        return false;
    }
    if (info.st_mode & (S_IWGRP | S_IWOTH)) {
        error = directory + " is writable by others; refusing to put a socket there";
        return false;
    }
    return true;
}

} // namespace

bool resolve_user(const std::string &name, uid_t &uid)
{
    if (parse_number(name, uid))
        return true;
    std::vector<char> buffer(16384);
    passwd entry{}, *found = nullptr;
    if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
        return false;
    uid = found->pw_uid;
    return true;
}

bool resolve_group(const std::string &name, gid_t &gid)
{
    if (parse_number(name, gid))
        return true;
    std::vector<char> buffer(16384);
    group entry{}, *found = nullptr;
    if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
        return false;
    gid = found->gr_gid;
    return true;
}

std::unique_ptr<ListeningSocket> ListeningSocket::create(wl_event_loop *loop,
                                                         const SocketSpec &spec,
                                                         AcceptHandler on_accept,
                                                         std::string &error)
{
    auto socket = std::make_unique<ListeningSocket>(Key());
    socket->spec_ = spec;
    socket->on_accept_ = std::move(on_accept);
    const std::string &path = spec.path;

    sockaddr_un address{};
    if (path.empty() || path[0] != '/' || path.size() >= sizeof address.sun_path) {
        error = "socket path must be absolute and shorter than " +
                std::to_string(sizeof address.sun_path) + " bytes: " + path;
        return nullptr;
    }
    if (spec.mode & 0007) {
        error = "socket " + path + " would be open to every user";
        return nullptr;
    }
    uid_t owner = geteuid();
    gid_t group = getegid();
    if (!spec.owner.empty() && !resolve_user(spec.owner, owner)) {
        error = "socket " + path + ": no such user \"" + spec.owner + "\"";
        return nullptr;
    }
    if (!spec.group.empty() && !resolve_group(spec.group, group)) {
        error = "socket " + path + ": no such group \"" + spec.group + "\"";
        return nullptr;
    }
    if (!check_directory(parent_of(path), group, (spec.mode & 0070) != 0, error))
        return nullptr;

    std::string lock_path = path + ".lock";
    socket->lock_fd_ = open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (socket->lock_fd_ < 0 || flock(socket->lock_fd_, LOCK_EX | LOCK_NB) < 0) {
        error = "socket " + path + " is in use by another compositor (" + errno_text() + ")";
        return nullptr;
    }
    unlink(path.c_str()); // a stale socket of a crashed instance: we hold the lock now

    socket->fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    mode_t old_mask = umask(0177); // owner-only from the moment it exists
    int bound = bind(socket->fd_, reinterpret_cast<sockaddr *>(&address), sizeof address);
    umask(old_mask);
    if (bound < 0) {
        error = "cannot bind " + path + ": " + errno_text();
        return nullptr;
    }
    if ((owner != geteuid() || group != getegid()) && chown(path.c_str(), owner, group) < 0) {
        error =
            "cannot give " + path + " to " + spec.owner + ":" + spec.group + ": " + errno_text();
        return nullptr;
    }
    if (chmod(path.c_str(), spec.mode) < 0 || listen(socket->fd_, 128) < 0) {
        error = "cannot listen on " + path + ": " + errno_text();
        return nullptr;
    }
    socket->source_ = wl_event_loop_add_fd(
        loop, socket->fd_, WL_EVENT_READABLE,
        [](int, uint32_t, void *data) {
            static_cast<ListeningSocket *>(data)->accept_pending();
            return 0;
        },
        socket.get());
    return socket;
}

ListeningSocket::~ListeningSocket()
{
    if (source_)
        wl_event_source_remove(source_);
    if (fd_ >= 0) {
        close(fd_);
        unlink(spec_.path.c_str());
    }
    if (lock_fd_ >= 0) {
        if (fd_ >= 0)
            unlink((spec_.path + ".lock").c_str());
        close(lock_fd_);
    }
}

void ListeningSocket::accept_pending()
{
    // Several clients may be waiting; the socket is non-blocking.
    for (;;) {
        int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            return;
        on_accept_(client);
    }
}

} // namespace rampart
