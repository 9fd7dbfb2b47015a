#include "storage_status.hpp"

#include "auth_protocol.hpp"
#include "config/config.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

extern char **environ;

namespace rampartctl {

namespace {
constexpr int timeout_ms = 30'000; // a status reads LUKS headers and asks tokens: allow time

struct Connection {
    int fd = -1;
    pid_t pid = -1; // the broker we started (spawn mode)
    ~Connection()
    {
        if (fd >= 0)
            close(fd);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

bool spawn_broker(Connection &connection, const std::string &authd, const std::string &config_path,
                  std::string &problem)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        problem = std::strerror(errno);
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], 3);
    const char *argv[] = {authd.c_str(), "--fd", "3", "--config", config_path.c_str(), nullptr};
    int result = posix_spawn(&connection.pid, authd.c_str(), &actions, nullptr,
                             const_cast<char **>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pair[1]);
    connection.fd = pair[0];
    if (result != 0) {
        connection.pid = -1;
        problem = "cannot start " + authd + ": " + std::strerror(result);
        return false;
    }
    return true;
}

bool connect_service(Connection &connection, const std::string &path, std::string &problem)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        problem = "socket path too long";
        return false;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    connection.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connection.fd < 0 ||
        connect(connection.fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        problem = "cannot reach " + path + ": " + std::strerror(errno);
        return false;
    }
    ucred peer{};
    socklen_t length = sizeof peer;
    if (getsockopt(connection.fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || peer.uid != 0) {
        problem = path + " is not served by root";
        return false;
    }
    return true;
}

// Reads frames until the storage answer; nullopt with `problem` on anything else.
std::optional<rampart::auth::StorageDone> read_answer(int fd, std::string &problem)
{
    rampart::auth::Decoder decoder;
    for (;;) {
        if (auto message = decoder.next()) {
            if (auto *done = std::get_if<rampart::auth::StorageDone>(&*message))
                return *done;
            if (std::holds_alternative<rampart::auth::Event>(*message))
                continue; // a token event between requests: not ours to act on
            problem = "unexpected message from rampart-authd";
            return std::nullopt;
        }
        if (decoder.failed()) {
            problem = "malformed answer from rampart-authd: " + decoder.failure();
            return std::nullopt;
        }
        pollfd entry{fd, POLLIN, 0};
        if (poll(&entry, 1, timeout_ms) <= 0) {
            problem = "no answer from rampart-authd";
            return std::nullopt;
        }
        std::uint8_t buffer[rampart::auth::header_size + rampart::auth::max_payload];
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count <= 0) {
            problem = "rampart-authd closed the connection";
            return std::nullopt;
        }
        if (!decoder.feed({buffer, static_cast<std::size_t>(count)})) {
            problem = "malformed answer from rampart-authd: " + decoder.failure();
            return std::nullopt;
        }
    }
}
} // namespace

int storage_status(const std::string &config_path, const std::string &authd_path)
{
    rampart::config::LoadResult loaded = rampart::config::load(config_path, "");
    if (!loaded.config) {
        std::fprintf(stderr, "rampartctl: %s\n",
                     loaded.error ? loaded.error->to_string().c_str() : "config error");
        return 2;
    }
    const rampart::config::Config &config = *loaded.config;
    if (config.storage.volumes.empty()) {
        std::printf("No encrypted volumes are configured in %s.\n", config_path.c_str());
        return 0;
    }
    Connection connection;
    std::string problem;
    bool up = config.lock.authd == rampart::config::AuthdMode::system
                  ? connect_service(connection, config.lock.authd_socket, problem)
                  : spawn_broker(connection, authd_path, config_path, problem);
    if (up) {
        auto request = rampart::auth::encode(
            rampart::auth::StorageRequest{1, rampart::auth::StorageOp::status});
        up = send(connection.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
             static_cast<ssize_t>(request.size());
        if (!up)
            problem = "cannot write to rampart-authd";
    }
    std::optional<rampart::auth::StorageDone> answer;
    if (up)
        answer = read_answer(connection.fd, problem);
    if (!answer) {
        std::fprintf(stderr, "rampartctl: storage status: %s\n", problem.c_str());
        return 2;
    }
    std::string text = answer->text;
    for (char &c : text)
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            c = '?';
    std::printf("%s\n", text.c_str());
    return answer->ok ? 0 : 1;
}

} // namespace rampartctl
