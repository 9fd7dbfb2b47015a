// Rampart's control socket: an owner-only Unix socket on the Wayland event loop through
// which rampartctl asks for things like "lock". Only processes of our own user are served
// (SO_PEERCRED), and no client, however slow or hostile, can block the event loop.
#pragma once

#include "control/control_protocol.hpp"
#include "control/unique_fd.hpp"

#include <wayland-server-core.h>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rampart::control {

struct Peer {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};

// Returns the reply (one line, no newline); the handler runs on the event loop and must
// not destroy the ControlSocket. Words are non-empty printable ASCII without spaces.
using Handler = std::function<std::string(const std::vector<std::string> &words, const Peer &peer)>;

// More clients at once are closed on accept; a client with more unsent reply bytes than
// this (it does not read them) is dropped.
inline constexpr size_t max_clients = 16;
inline constexpr size_t max_pending_output = 64 * 1024;

struct SourceDeleter {
    void operator()(wl_event_source *source) const { wl_event_source_remove(source); }
};
using EventSource = std::unique_ptr<wl_event_source, SourceDeleter>;

class ControlSocket {
public:
    // Creates the socket's directory (0700) unless it exists - an existing one must be ours,
    // a real directory (not a symlink) and closed to group and others - then binds the
    // socket (0600) and listens. nullptr with `error` set on failure.
    static std::unique_ptr<ControlSocket> create(wl_event_loop *loop, const std::string &path,
                                                 Handler handler, std::string *error);
    ~ControlSocket(); // closes the clients, unlinks the socket
    ControlSocket(const ControlSocket &) = delete;
    ControlSocket &operator=(const ControlSocket &) = delete;

    const std::string &path() const { return path_; }
    size_t client_count() const { return clients_.size(); }

    // Only create() can make the key, so only create() constructs.
    class Key {
        friend class ControlSocket;
        Key() = default;
    };
    ControlSocket(Key, wl_event_loop *loop, std::string path, Handler handler);

private:
    struct Client;
    static int on_listen_fd(int fd, uint32_t mask, void *data);
    static int on_client_fd(int fd, uint32_t mask, void *data);
    bool bind_and_listen(std::string *error);
    void accept_pending();
    void reap();
    void service(Client &client, uint32_t mask);
    bool read_requests(Client &client);
    void answer(Client &client, std::string_view line);
    bool flush(Client &client);
    void remove(Client &client);

    wl_event_loop *loop_;
    std::string path_, lock_path_;
    Handler handler_;
    UniqueFd lock_fd_, listen_fd_;
    EventSource listen_source_;
    bool bound_ = false; // whether path_ is our socket, to unlink
    std::vector<std::unique_ptr<Client>> clients_;
};

// Declared in control_protocol.hpp (rampartctl needs it without wayland-server):
// std::string default_control_path(const std::string &runtime_dir, const std::string &display);

} // namespace rampart::control
