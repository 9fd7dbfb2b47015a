// Who the clients are: the sockets Rampart listens on (one per level, the trusted socket),
// the level each client is tagged with when it connects, and the global filter that applies
// the protocol policy to every registry listing and bind.
#include "levels/listening_socket.hpp"
#include "policy/protocol_policy.hpp"
#include "server.hpp"
#include "util/log.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace rampart {

namespace {
constexpr const char *message_client_connected = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e01";
constexpr const char *message_client_disconnected = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e02";
constexpr const char *message_bind_refused = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e03";

std::string runtime_dir()
{
    const char *dir = std::getenv("XDG_RUNTIME_DIR");
    return dir ? dir : "/tmp";
}
} // namespace

bool Server::create_sockets(std::string &error)
{
    const config::LevelsConfig &levels = config.levels;
    std::string trusted_path =
        options.trusted_socket_path.empty() ? levels.trusted_socket : options.trusted_socket_path;
    if (!trusted_path.empty()) {
        SocketSpec spec{config::resolve_socket_path(trusted_path, runtime_dir()), "", "", 0600};
        if (spec.path.empty()) {
            error = "trusted socket " + trusted_path +
                    " cannot be resolved (is XDG_RUNTIME_DIR absolute?)";
            return false;
        }
        auto socket = ListeningSocket::create(
            loop, spec,
            [this](int fd) {
                accept_client(fd, ClientOrigin{true, -1});
            },
            error);
        if (!socket)
            return false;
        log::info("trusted socket at %s (owner only)", socket->path().c_str());
        sockets_.push_back(std::move(socket));
    }
    for (size_t i = 0; i < levels.levels.size(); ++i) {
        const config::LevelConfig &level = levels.levels[i];
        SocketSpec spec{config::resolve_socket_path(level.socket, runtime_dir()),
                        level.socket_owner, level.socket_group, level.socket_mode};
        // Two levels must never share a socket, however their paths were written.
        for (auto &existing : sockets_)
            if (existing->path() == spec.path) {
                error = "level \"" + level.id + "\" would share the socket " + spec.path;
                return false;
            }
        int index = static_cast<int>(i);
        auto socket = ListeningSocket::create(
            loop, spec,
            [this, index](int fd) {
                accept_client(fd, ClientOrigin{false, index});
            },
            error);
        if (!socket) {
            error = "level \"" + level.id + "\": " + error;
            return false;
        }
        log::info("level %s listens on %s", level.id.c_str(), socket->path().c_str());
        events.emit("level_socket", {{"level", level.id}, {"path", socket->path()}});
        sockets_.push_back(std::move(socket));
    }
    return true;
}

void Server::accept_client(int fd, ClientOrigin origin)
{
    accepting_ = origin;
    wl_client *client = wl_client_create(display, fd);
    accepting_.reset();
    if (!client)
        close(fd); // wl_client_create does not close it on failure
}

int Server::connect_trusted_helper()
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        return -1;
    accept_client(fds[0], ClientOrigin{true, -1});
    return fds[1];
}

int Server::plain_socket_level() const
{
    const std::string &id = config.levels.plain_socket_level;
    for (size_t i = 0; i < config.levels.levels.size(); ++i)
        if (config.levels.levels[i].id == id)
            return static_cast<int>(i);
    return -1;
}

void Server::handle_client_created_event(wl_client *client)
{
    auto record = std::make_unique<ClientRecord>();
    // Our own sockets set the origin around wl_client_create; anything else came through
    // libwayland's plain wayland-N socket, which serves the configured level.
    record->origin = accepting_.value_or(ClientOrigin{false, plain_socket_level()});
    if (!record->origin.trusted && record->origin.level < 0) {
        // No level for this socket: refuse rather than guess (fail closed).
        wl_client_post_implementation_error(client, "this socket serves no security level");
        return;
    }
    wl_client_get_credentials(client, &record->pid, nullptr, nullptr);
    pid_t pid = record->pid;
    std::string who =
        record->origin.trusted ? "trusted" : config.levels.levels[record->origin.level].id;
    record->destroy.attach(
        [client](wl_listener *link) { wl_client_add_destroy_listener(client, link); },
        [this, client, pid, who](void *) {
            log::security_event(log::Level::info, message_client_disconnected,
                                "client pid " + std::to_string(pid) + " (" + who + ") disconnected",
                                {"RAMPART_PID=" + std::to_string(pid), "RAMPART_LEVEL=" + who});
            events.emit("client_disconnected",
                        {{"pid", static_cast<int64_t>(pid)}, {"level", who}});
            clients_.erase(client);
        });
    clients_[client] = std::move(record);
    log::security_event(log::Level::info, message_client_connected,
                        "client pid " + std::to_string(pid) + " connected at level " + who,
                        {"RAMPART_PID=" + std::to_string(pid), "RAMPART_LEVEL=" + who});
    events.emit("client_connected", {{"pid", static_cast<int64_t>(pid)}, {"level", who}});
}

bool Server::client_is_trusted(const wl_client *client) const
{
    auto it = clients_.find(client);
    return it != clients_.end() && it->second->origin.trusted;
}

int Server::level_of(const wl_client *client) const
{
    auto it = clients_.find(client);
    if (it == clients_.end())
        return unknown_level;
    return it->second->origin.trusted ? trusted_level : it->second->origin.level;
}

std::string Server::level_name(int level) const
{
    if (level == trusted_level)
        return "trusted";
    if (level < 0 || level >= static_cast<int>(config.levels.levels.size()))
        return "unknown";
    return config.levels.levels[static_cast<size_t>(level)].id;
}

bool Server::global_filter(const wl_client *client, const wl_global *global, void *data)
{
    auto *server = static_cast<Server *>(data);
    const wl_interface *interface = wl_global_get_interface(global);
    auto it = server->clients_.find(client);
    if (it == server->clients_.end())
        return false; // unknown client: fail closed
    auto client_class =
        it->second->origin.trusted ? policy::ClientClass::trusted : policy::ClientClass::level;
    // Hiding from the registry and refusing a bind both land here; the journal records
    // actual bind requests (log_refused_bind), not every registry listing.
    return policy::interface_allowed(client_class, interface->name);
}

void Server::log_refused_bind(wl_client *client, const char *interface)
{
    auto it = clients_.find(client);
    if (it == clients_.end() || !interface)
        return;
    ClientRecord &record = *it->second;
    auto client_class =
        record.origin.trusted ? policy::ClientClass::trusted : policy::ClientClass::level;
    if (policy::interface_allowed(client_class, interface))
        return;
    std::string level = level_name(level_of(client));
    events.emit("bind_refused", {{"pid", static_cast<int64_t>(record.pid)},
                                 {"level", level},
                                 {"interface", std::string(interface)}});
    if (!record.refused_interfaces.insert(interface).second)
        return; // once per client and interface in the journal
    log::security_event(log::Level::warning, message_bind_refused,
                        "client pid " + std::to_string(record.pid) + " (" + level +
                            ") tried to bind " + interface + ": refused",
                        {"RAMPART_PID=" + std::to_string(record.pid), "RAMPART_LEVEL=" + level,
                         std::string("RAMPART_INTERFACE=") + interface});
}

void Server::protocol_logger(void *data, wl_protocol_logger_type direction,
                             const wl_protocol_logger_message *message)
{
    // wl_registry.bind (opcode 0, "usun"): name, interface, version, new id. A request naming
    // an interface the client may not have is an attempt, whether by name or by number.
    if (direction != WL_PROTOCOL_LOGGER_REQUEST || message->message_opcode != 0 ||
        message->arguments_count < 2 ||
        std::strcmp(wl_resource_get_class(message->resource), "wl_registry") != 0)
        return;
    auto *server = static_cast<Server *>(data);
    server->log_refused_bind(wl_resource_get_client(message->resource), message->arguments[1].s);
}

} // namespace rampart
