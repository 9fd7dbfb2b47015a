// rampartctl: asks the running Rampart to do something, over its owner-only control socket.
// Exit status: 0 on an "ok" reply, 1 on an "error:" reply, 2 on usage or connection errors.
#include "control/control_protocol.hpp"
#include "config/config.hpp"
#include "control/unique_fd.hpp"
#include "storage_status.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace rampart::control;
using Clock = std::chrono::steady_clock;

constexpr auto timeout = std::chrono::seconds(5);

struct Command {
    const char *name;
    const char *help;
};
// Only these reach Rampart: the tool's surface stays as small as the server's.
constexpr Command commands[] = {
    {"lock", "lock the screen now"},
    {"status", "print Rampart's status line"},
};

void print_usage(FILE *out)
{
    std::fprintf(out, "Usage: rampartctl [--socket PATH] COMMAND\n"
                      "       rampartctl storage status [--config PATH] [--authd PATH]\n\n"
                      "Commands:\n");
    for (const Command &command : commands)
        std::fprintf(out, "  %-8s %s\n", command.name, command.help);
    std::fprintf(out, "  storage status  the encrypted volumes, their state and enrolled tokens\n"
                      "                  (asked of rampart-authd; --config: the system config,\n"
                      "                  default /etc/rampart/rampart.toml)\n");
    std::fprintf(out,
                 "\nOptions:\n"
                 "  --socket PATH  the control socket; default $RAMPART_CONTROL_SOCKET, else\n"
                 "                 $XDG_RUNTIME_DIR/rampart/$WAYLAND_DISPLAY.control\n"
                 "                 (WAYLAND_DISPLAY defaults to wayland-0)\n"
                 "  -h, --help     show this help\n\n"
                 "Exit status: 0 ok, 1 Rampart replied with an error, 2 usage or connection "
                 "error.\nGives up after %lld seconds.\n",
                 static_cast<long long>(timeout.count()));
}

int usage_error(const std::string &text)
{
    std::fprintf(stderr, "rampartctl: %s (try --help)\n", text.c_str());
    return 2;
}

// Milliseconds left until `deadline`, for poll(); 0 once it has passed.
int remaining(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on `fd`; false with `problem` set on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline, std::string &problem)
{
    for (;;) {
        pollfd entry{fd, events, 0};
        int ready = poll(&entry, 1, remaining(deadline));
        if (ready > 0)
            return true;
        if (ready == 0) {
            problem = "no answer within " + std::to_string(timeout.count()) + " seconds";
            return false;
        }
        if (errno != EINTR) {
            problem = std::strerror(errno);
            return false;
        }
    }
}

bool connect_to(int fd, const std::string &path, Clock::time_point deadline, std::string &problem)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        problem = "the path is too long";
        return false;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    for (;;) {
        if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0)
            break;
        if (errno == EINTR)
            continue;
        // A full backlog: Rampart is busy, so try again for a while.
        if (errno == EAGAIN && remaining(deadline) > 0) {
            poll(nullptr, 0, 20);
            continue;
        }
        problem = errno == EAGAIN ? "it is not accepting connections" : std::strerror(errno);
        return false;
    }
    // Only our own Rampart (or, for root, anyone's) may hear our requests.
    ucred server{};
    socklen_t length = sizeof server;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &server, &length) < 0) {
        problem = std::string("cannot check its owner: ") + std::strerror(errno);
        return false;
    }
    if (server.uid != geteuid() && geteuid() != 0) {
        problem = "the socket belongs to uid " + std::to_string(server.uid) + ", not to us";
        return false;
    }
    return true;
}

// Sends `request` and reads one reply line (without its '\n').
bool exchange(const std::string &path, const std::string &request, std::string &reply,
              std::string &problem)
{
    auto deadline = Clock::now() + timeout;
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
        problem = std::strerror(errno);
        return false;
    }
    if (!connect_to(fd.get(), path, deadline, problem))
        return false;
    for (size_t sent = 0; sent < request.size();) {
        if (!wait_for(fd.get(), POLLOUT, deadline, problem))
            return false;
        ssize_t count = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (count < 0 && errno != EAGAIN && errno != EINTR) {
            problem = std::strerror(errno);
            return false;
        }
        sent += count > 0 ? static_cast<size_t>(count) : 0;
    }
    for (;;) {
        size_t newline = reply.find('\n');
        if (newline != std::string::npos) {
            reply.resize(newline);
            return true;
        }
        if (reply.size() > max_reply) {
            problem = "its reply is too long";
            return false;
        }
        if (!wait_for(fd.get(), POLLIN, deadline, problem))
            return false;
        char buffer[1024];
        ssize_t count = recv(fd.get(), buffer, sizeof buffer, 0);
        if (count == 0) {
            problem = "it closed the connection without replying";
            return false;
        }
        if (count < 0 && errno != EAGAIN && errno != EINTR) {
            problem = std::strerror(errno);
            return false;
        }
        if (count > 0)
            reply.append(buffer, static_cast<size_t>(count));
    }
}

// `storage status [--config PATH] [--authd PATH]`
int storage_command(int argc, char **argv)
{
    if (argc < 1 || std::string_view(argv[0]) != "status")
        return usage_error("storage takes one command: status");
    std::string config = rampart::config::default_system_path();
    std::string authd;
    for (int i = 1; i < argc; ++i) {
        std::string_view argument = argv[i];
        if ((argument == "--config" || argument == "--authd") && i + 1 < argc)
            (argument == "--config" ? config : authd) = argv[++i];
        else
            return usage_error("unknown storage option " + std::string(argument));
    }
    if (authd.empty()) {
        // Next to rampartctl (an install puts both in one place), else the libexec default.
        char self[4096];
        ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
        std::string dir = length > 0 ? std::string(self, static_cast<size_t>(length)) : "";
        dir = dir.substr(0, dir.rfind('/'));
        for (const std::string &candidate :
             {dir + "/rampart-authd", dir + "/../lockscreen/authd/rampart-authd"})
            if (authd.empty() && access(candidate.c_str(), X_OK) == 0)
                authd = candidate;
        if (authd.empty())
            authd = RAMPART_LIBEXECDIR "/rampart-authd";
    }
    return rampartctl::storage_status(config, authd);
}

std::string socket_path(const std::string &option, std::string &problem)
{
    if (!option.empty())
        return option;
    const char *from_env = std::getenv("RAMPART_CONTROL_SOCKET");
    if (from_env && *from_env)
        return from_env;
    const char *runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime_dir || !*runtime_dir) {
        problem = "XDG_RUNTIME_DIR is not set; give the socket with --socket PATH";
        return {};
    }
    const char *display = std::getenv("WAYLAND_DISPLAY");
    return default_control_path(runtime_dir, display && *display ? display : "wayland-0");
}

} // namespace

int main(int argc, char **argv)
{
    std::string option;
    int index = 1;
    for (; index < argc && argv[index][0] == '-'; ++index) {
        std::string_view argument = argv[index];
        if (argument == "-h" || argument == "--help") {
            print_usage(stdout);
            return 0;
        }
        if (argument == "--") {
            ++index;
            break;
        }
        if (argument == "--socket") {
            if (++index == argc || !*argv[index])
                return usage_error("--socket needs a path");
            option = argv[index];
        } else if (argument.substr(0, 9) == "--socket=") {
            option = argument.substr(9);
            if (option.empty())
                return usage_error("--socket needs a path");
        } else {
            return usage_error("unknown option " + std::string(argument));
        }
    }
    if (index == argc)
        return usage_error("no command given");
    std::string name = argv[index];
    if (name == "storage")
        return storage_command(argc - index - 1, argv + index + 1);
    bool known = false;
    for (const Command &command : commands)
        known = known || name == command.name;
    if (!known)
        return usage_error("unknown command '" + name + "'");
    if (index + 1 != argc)
        return usage_error("'" + name + "' takes no arguments");
    auto request = format_request({name});
    if (!request)
        return usage_error("cannot send '" + name + "'");

    std::string problem;
    std::string path = socket_path(option, problem);
    if (path.empty()) {
        std::fprintf(stderr, "rampartctl: %s\n", problem.c_str());
        return 2;
    }
    std::string reply;
    if (!exchange(path, *request, reply, problem)) {
        std::fprintf(stderr, "rampartctl: cannot reach Rampart at %s: %s\n", path.c_str(),
                     problem.c_str());
        return 2;
    }
    // Printed as it came, but never with control bytes a terminal would act on.
    for (char &c : reply) {
        if (c < 0x20 || c > 0x7e)
            c = '?';
    }
    switch (classify_reply(reply)) {
    case ReplyKind::ok: std::printf("%s\n", reply.c_str()); return 0;
    case ReplyKind::error: std::fprintf(stderr, "%s\n", reply.c_str()); return 1;
    case ReplyKind::malformed: break;
    }
    std::fprintf(stderr, "rampartctl: unexpected reply from Rampart at %s: %s\n", path.c_str(),
                 reply.c_str());
    return 2;
}
