// rampart: the thin command-line wrapper around Server.
#include "server.hpp"
#include "util/log.hpp"

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <sys/prctl.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char *usage_text =
    "Usage: rampart [options]\n"
    "  --headless              headless backend with the pixman renderer (no display needed)\n"
    "  --outputs N             headless outputs to create (default 1)\n"
    "  --output-size WxH       size of headless outputs (default 1920x1080)\n"
    "  --config PATH           system config (default /etc/rampart/rampart.toml)\n"
    "  --user-config PATH      user config (default $XDG_CONFIG_HOME/rampart/rampart.toml)\n"
    "  --check-config          check the config files, print problems, exit 0 or 2\n"
    "  --socket NAME           Wayland socket name (default: first free wayland-N)\n"
    "  --trusted-socket PATH   also listen on an owner-only socket for trusted tools\n"
    "  --event-log PATH|-      write machine-readable JSON events (tests, benchmarks)\n"
    "  --spawn COMMAND         run COMMAND once ready (may be repeated)\n"
    "  --start-locked          show the lock screen from the first frame\n"
    "  --authd PATH            the rampart-authd binary to start (default: next to rampart,\n"
    "                          then the install's libexecdir; lock.authd_path in the config)\n"
    "  -v, -vv                 more logging (info, debug)\n"
    "  --help, --version\n";

bool parse_size(const char *text, int &width, int &height)
{
    return std::sscanf(text, "%dx%d", &width, &height) == 2 && width > 0 && height > 0 &&
           width <= 16384 && height <= 16384;
}

} // namespace

int main(int argc, char **argv)
{
    // Block the signals the event loop handles before any library can start a thread: a
    // thread with them unblocked would take SIGHUP's default action and end the session.
    sigset_t handled;
    sigemptyset(&handled);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
        sigaddset(&handled, signal);
    pthread_sigmask(SIG_BLOCK, &handled, nullptr);
    // Rampart holds what the user types at the lock screen: no core dumps, and no reading of
    // its memory by other processes of the same user (level programs may run as that user).
    prctl(PR_SET_DUMPABLE, 0);

    rampart::ServerOptions options;
    options.system_config_path = rampart::config::default_system_path();
    options.user_config_path = rampart::config::default_user_path();
    bool check_only = false;
    int verbosity = -1;
    std::vector<std::string> spawn_commands;

    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char *name) -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "rampart: %s needs a value\n%s", name, usage_text);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--headless") {
            options.backend = rampart::ServerOptions::Backend::headless;
        } else if (arg == "--outputs") {
            options.headless_outputs = std::atoi(value("--outputs"));
            if (options.headless_outputs < 0 || options.headless_outputs > 8) {
                std::fprintf(stderr, "rampart: --outputs takes 0 to 8\n");
                return 2;
            }
        } else if (arg == "--output-size") {
            if (!parse_size(value("--output-size"), options.headless_width,
                            options.headless_height)) {
                std::fprintf(stderr, "rampart: --output-size takes WxH, each 1..16384\n");
                return 2;
            }
        } else if (arg == "--config") {
            options.system_config_path = value("--config");
        } else if (arg == "--user-config") {
            options.user_config_path = value("--user-config");
        } else if (arg == "--check-config") {
            check_only = true;
        } else if (arg == "--socket") {
            options.socket_name = value("--socket");
        } else if (arg == "--trusted-socket") {
            options.trusted_socket_path = value("--trusted-socket");
        } else if (arg == "--event-log") {
            options.event_log = value("--event-log");
        } else if (arg == "--start-locked") {
            options.start_locked = true;
        } else if (arg == "--authd") {
            options.authd_path = value("--authd");
        } else if (arg == "--spawn") {
            spawn_commands.push_back(value("--spawn"));
        } else if (arg == "-v") {
            verbosity = 2;
        } else if (arg == "-vv") {
            verbosity = 3;
        } else if (arg == "--help") {
            std::fputs(usage_text, stdout);
            return 0;
        } else if (arg == "--version") {
            std::puts("rampart 0.1.0");
            return 0;
        } else {
            std::fprintf(stderr, "rampart: unknown option %s\n%s", arg.c_str(), usage_text);
            return 2;
        }
    }

    rampart::config::LoadResult loaded =
        rampart::config::load(options.system_config_path, options.user_config_path);
    if (!loaded.config) {
        std::fprintf(stderr, "%s\n",
                     loaded.error ? loaded.error->to_string().c_str() : "config error");
        return 2;
    }
    if (check_only) {
        std::printf("config OK: %s, %s\n", options.system_config_path.c_str(),
                    options.user_config_path.c_str());
        return 0;
    }
    auto level = verbosity >= 0 ? static_cast<rampart::log::Level>(verbosity)
                                : static_cast<rampart::log::Level>(loaded.config->log_level);
    rampart::log::init(level);
    rampart::route_wlroots_log(level);

    rampart::Server server(options, *loaded.config);
    std::string error;
    if (!server.start(error)) {
        rampart::log::error("%s", error.c_str());
        std::fprintf(stderr, "rampart: %s\n", error.c_str());
        return 1;
    }
    for (const std::string &command : spawn_commands)
        server.spawn(command);
    server.run();
    return 0;
}
