// The control socket's requests (rampartctl): what each one does to the running compositor.
#include "control/control_socket.hpp"
#include "lock/lock_screen.hpp"
#include "server.hpp"
#include "util/log.hpp"

#include <cstdlib>

namespace rampart {

bool Server::start_control_socket(std::string &error)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (!runtime) {
        error = "XDG_RUNTIME_DIR is not set: no place for the control socket";
        return false;
    }
    std::string path = control::default_control_path(runtime, socket_name);
    control_socket_ = control::ControlSocket::create(
        loop, path,
        [this](const std::vector<std::string> &words, const control::Peer &peer) {
            return handle_control(words, peer.pid);
        },
        &error);
    if (!control_socket_)
        return false;
    // Programs Rampart starts (a terminal running rampartctl) find it without asking.
    setenv("RAMPART_CONTROL_SOCKET", path.c_str(), 1);
    return true;
}

std::string Server::handle_control(const std::vector<std::string> &words, pid_t peer)
{
    if (words.size() == 1 && words[0] == "lock") {
        log::info("lock requested over the control socket by pid %d", static_cast<int>(peer));
        lock("rampartctl");
        return "ok locked";
    }
    if (words.size() == 1 && words[0] == "status") {
        bool is_locked = locked();
        unsigned failures = lock_screen ? lock_screen->controller().failures() : 0;
        return "ok locked=" + std::string(is_locked ? "yes" : "no") +
               " lock_shown=" + (lock_screen && lock_screen->shown() ? "yes" : "no") +
               " failed_attempts=" + std::to_string(failures) +
               " outputs=" + std::to_string(outputs.size()) +
               " windows=" + std::to_string(focus_order.size());
    }
    return "error: unknown request";
}

} // namespace rampart
