// Who the clients are: the trusted socket, per-client records, and the global filter that
// applies the protocol policy to every registry listing and bind.
#include "policy/protocol_policy.hpp"
#include "server.hpp"
#include "util/log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rampart {

namespace {
constexpr const char *message_client_connected = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e01";
constexpr const char *message_client_disconnected = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e02";
constexpr const char *message_bind_refused = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e03";
}  // namespace

bool Server::create_trusted_socket(std::string &error)
{
    const std::string &path = options.trusted_socket_path;
    sockaddr_un address{};
    if (path.size() >= sizeof address.sun_path) {
        error = "trusted socket path too long: " + path;
        return false;
    }
    // A lock file beside the socket, as libwayland does: a second Rampart must not steal it.
    std::string lock_path = path + ".lock";
    trusted_lock_fd_ = open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (trusted_lock_fd_ < 0 || flock(trusted_lock_fd_, LOCK_EX | LOCK_NB) < 0) {
        error = "trusted socket " + path + " is in use (" + strerror(errno) + ")";
        if (trusted_lock_fd_ >= 0)
            close(trusted_lock_fd_);
        trusted_lock_fd_ = -1;
        return false;
    }
    unlink(path.c_str());  // a stale socket from a crashed instance: we hold the lock
    trusted_socket_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    mode_t old_mask = umask(0177);  // owner-only from the moment it exists
    int bound = bind(trusted_socket_fd_, reinterpret_cast<sockaddr *>(&address), sizeof address);
    umask(old_mask);
    if (bound < 0 || chmod(path.c_str(), 0600) < 0 || listen(trusted_socket_fd_, 16) < 0) {
        error = "cannot listen on trusted socket " + path + ": " + strerror(errno);
        return false;
    }
    trusted_socket_source_ = wl_event_loop_add_fd(
        loop, trusted_socket_fd_, WL_EVENT_READABLE,
        [](int, uint32_t, void *data) {
            static_cast<Server *>(data)->accept_trusted_connection();
            return 0;
        },
        this);
    log::info("trusted socket at %s (owner only)", path.c_str());
    return true;
}

void Server::accept_trusted_connection()
{
    int fd = accept4(trusted_socket_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    accepting_trusted_ = true;
    wl_client *client = wl_client_create(display, fd);
    accepting_trusted_ = false;
    if (!client)
        close(fd);  // wl_client_create does not close it on failure
}

void Server::handle_client_created_event(wl_client *client)
{
    auto record = std::make_unique<ClientRecord>();
    record->trusted = accepting_trusted_;
    wl_client_get_credentials(client, &record->pid, nullptr, nullptr);
    pid_t pid = record->pid;
    bool trusted = record->trusted;
    record->destroy.attach([client](wl_listener *link) { wl_client_add_destroy_listener(client, link); },
                           [this, client, pid](void *) {
                               log::security_event(log::Level::info, message_client_disconnected,
                                                   "client pid " + std::to_string(pid) + " disconnected",
                                                   {"RAMPART_PID=" + std::to_string(pid)});
                               events.emit("client_disconnected", {{"pid", static_cast<int64_t>(pid)}});
                               clients_.erase(client);
                           });
    clients_[client] = std::move(record);
    std::string kind = trusted ? "trusted" : "ordinary";
    log::security_event(log::Level::info, message_client_connected,
                        "client pid " + std::to_string(pid) + " connected (" + kind + ")",
                        {"RAMPART_PID=" + std::to_string(pid), "RAMPART_CLIENT_CLASS=" + kind});
    events.emit("client_connected", {{"pid", static_cast<int64_t>(pid)}, {"class", kind}});
}

bool Server::client_is_trusted(const wl_client *client) const
{
    auto it = clients_.find(client);
    return it != clients_.end() && it->second->trusted;
}

bool Server::global_filter(const wl_client *client, const wl_global *global, void *data)
{
    auto *server = static_cast<Server *>(data);
    const wl_interface *interface = wl_global_get_interface(global);
    auto it = server->clients_.find(client);
    if (it == server->clients_.end())
        return false;  // unknown client: fail closed
    ClientRecord &record = *it->second;
    auto client_class = record.trusted ? policy::ClientClass::trusted : policy::ClientClass::level;
    if (policy::interface_allowed(client_class, interface->name))
        return true;
    if (record.refused_interfaces.insert(interface->name).second) {
        // Hiding from the registry and refusing a bind both land here; log once.
        log::security_event(log::Level::info, message_bind_refused,
                            "client pid " + std::to_string(record.pid) + " may not use " +
                                interface->name,
                            {"RAMPART_PID=" + std::to_string(record.pid),
                             std::string("RAMPART_INTERFACE=") + interface->name});
    }
    return false;
}

}  // namespace rampart
