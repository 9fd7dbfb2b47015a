// A Unix socket Rampart listens on itself (a level's socket or the trusted socket), so it
// knows at accept() time which socket - and so which level - every client came through.
// A lock file beside it keeps a second Rampart from stealing it, as libwayland does.
#pragma once

#include <wayland-server-core.h>

#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>

namespace rampart {

struct SocketSpec {
    std::string path;  // absolute
    std::string owner; // user name or uid; empty = ours
    std::string group; // group name or gid; empty = ours
    unsigned mode = 0600;
};

class ListeningSocket {
public:
    using AcceptHandler = std::function<void(int fd)>;

    // Creates, binds and listens; nullptr with `error` set when the socket or its directory
    // is unsafe or cannot be made. Fails closed: a level whose socket cannot be made safely
    // gets no socket at all.
    static std::unique_ptr<ListeningSocket> create(wl_event_loop *loop, const SocketSpec &spec,
                                                   AcceptHandler on_accept, std::string &error);
    ~ListeningSocket();
    ListeningSocket(const ListeningSocket &) = delete;
    ListeningSocket &operator=(const ListeningSocket &) = delete;

    const std::string &path() const { return spec_.path; }

    // Only create() can make the key, so only create() constructs.
    class Key {
        friend class ListeningSocket;
        Key() = default;
    };
    explicit ListeningSocket(Key) {}

private:
    void accept_pending();

    SocketSpec spec_;
    AcceptHandler on_accept_;
    int fd_ = -1, lock_fd_ = -1;
    wl_event_source *source_ = nullptr;
};

// Resolves a user or group given as a name or a number; false when it does not exist.
bool resolve_user(const std::string &name, uid_t &uid);
bool resolve_group(const std::string &name, gid_t &gid);

} // namespace rampart
