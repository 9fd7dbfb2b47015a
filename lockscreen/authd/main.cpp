// rampart-authd: the privilege-separated authentication broker. See docs/auth-protocol.md.
//
//   rampart-authd --fd N [--pam-service NAME] [-v]
//       Spawned by rampart over a socketpair; runs as the user. The peer must be that user.
//   rampart-authd --socket-activated [--pam-service NAME] [-v]
//       A systemd Accept=yes instance (the connection is fd 3); runs as root and
//       authenticates the user the peer's SO_PEERCRED uid names. Exits when no check is
//       started for socket_idle_timeout (`--idle-timeout-ms N` overrides it: for tests only).
#include "config/config.hpp"
#include "hardening.hpp"
#include "journal.hpp"
#include "peer.hpp"
#include "pkcs11_token.hpp"
#include "session.hpp"
#include "util/log.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace {

using namespace rampart;

struct Options {
    int fd = -1;
    bool socket_activated = false;
    std::string service = "rampart";
    bool verbose = false;
    std::optional<std::chrono::milliseconds> idle_timeout; // test-only override
    std::string config_path; // the system config ([storage], [[volume]]); "" none
};

template <class T> bool parse_number(std::string_view text, T &out)
{
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), out);
    return parsed.ec == std::errc() && parsed.ptr == text.data() + text.size();
}

// PAM service names are file names in /etc/pam.d: no paths, no hidden files.
bool valid_service_name(std::string_view name)
{
    if (name.empty() || name.size() > 64 || name.front() == '.')
        return false;
    for (const char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!allowed)
            return false;
    }
    return true;
}

std::optional<Options> parse_options(int argc, char **argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        const bool has_value = i + 1 < argc;
        if (argument == "--fd" && has_value) {
            if (!parse_number(argv[++i], options.fd) || options.fd < 0)
                return std::nullopt;
        } else if (argument == "--idle-timeout-ms" && has_value) {
            // Not in the usage text: lets the tests see the idle exit without waiting 60 s.
            long long ms = 0;
            if (!parse_number(argv[++i], ms) || ms <= 0 || ms > 24 * 3600 * 1000LL)
                return std::nullopt;
            options.idle_timeout = std::chrono::milliseconds(ms);
        } else if (argument == "--config" && has_value) {
            options.config_path = argv[++i];
            if (options.config_path.empty() || options.config_path.front() != '/')
                return std::nullopt;
        } else if (argument == "--socket-activated") {
            options.socket_activated = true;
        } else if (argument == "--pam-service" && has_value) {
            options.service = argv[++i];
            if (!valid_service_name(options.service))
                return std::nullopt;
        } else if (argument == "-v" || argument == "--verbose") {
            options.verbose = true;
        } else {
            return std::nullopt;
        }
    }
    if ((options.fd >= 0) == options.socket_activated)
        return std::nullopt;
    // Spawned brokers are the compositor's to end (it kills them); only instances time out.
    if (options.idle_timeout && !options.socket_activated)
        return std::nullopt;
    return options;
}

int serve(const Options &options)
{
    const int connection = options.socket_activated ? authd::socket_activated_fd() : options.fd;
    if (connection < 0) {
        log::error("no connection: expected exactly one socket from systemd (LISTEN_FDS=1)");
        return 2;
    }
    if (!authd::close_inherited_fds(connection)) {
        log::error("cannot close inherited descriptors (close_range and /proc/self/fd failed)");
        return 2;
    }
    if (!authd::is_unix_stream_socket(connection)) {
        log::error("fd %d is not a connected AF_UNIX stream socket", connection);
        return 2;
    }
    const auto peer = authd::peer_identity(connection);
    if (!peer) {
        log::error("cannot read the peer's credentials: %s", strerror(errno));
        return 2;
    }
    // Spawned by the compositor: only the user this broker runs as may ask. Socket
    // activated: whoever connects is authenticated as themselves, and only that.
    const uid_t own_uid = getuid();
    if (!options.socket_activated && peer->uid != own_uid) {
        authd::journal::peer_refused(peer->pid, peer->uid,
                                     "peer uid " + std::to_string(peer->uid) +
                                         " is not the broker's uid " + std::to_string(own_uid));
        return 1;
    }
    const uid_t subject = options.socket_activated ? peer->uid : own_uid;
    const auto user = authd::user_name(subject);
    if (!user) {
        authd::journal::peer_refused(peer->pid, peer->uid,
                                     "uid " + std::to_string(subject) + " has no user name");
        return 1;
    }
    log::debug("serving %s (peer pid %d, PAM service %s)", user->c_str(),
               static_cast<int>(peer->pid), options.service.c_str());
    authd::SessionConfig config{options.service, *user, peer->pid, std::nullopt, {}};
    if (options.socket_activated)
        config.idle_timeout = options.idle_timeout.value_or(authd::socket_idle_timeout);
    // The system service reads the administrator's file, whatever it is told; a spawned
    // broker takes the compositor's. A file that cannot be read stops the broker: unlocking
    // the screen without its volumes would leave the user without their data.
    std::string config_path =
        options.socket_activated ? config::default_system_path() : options.config_path;
    if (std::getenv("RAMPART_STORAGE_VERIFY_ONLY"))
        log::warning("RAMPART_STORAGE_VERIFY_ONLY is set: volumes are only checked, never "
                     "suspended or opened (a test hook; never on a real system)");
    if (!config_path.empty()) {
        config::LoadResult loaded = config::load(config_path, "");
        if (!loaded.config) {
            log::error("cannot read %s: %s", config_path.c_str(),
                       loaded.error ? loaded.error->to_string().c_str() : "unknown error");
            return 2;
        }
        for (const config::VolumeConfig &volume : loaded.config->storage.volumes)
            if (!authd::account_exists(volume.user))
                log::warning("storage: volume %s belongs to \"%s\", which is no account here: "
                             "no lock screen suspends or opens it",
                             volume.name.c_str(), volume.user.c_str());
        // Only the volumes this user owns: another account's peer may neither suspend nor
        // probe them, nor open them with its own card or password.
        config.storage = loaded.config->storage.owned_by(*user);
        if (config.storage.volumes.size() != loaded.config->storage.volumes.size())
            log::debug("%zu of %zu configured volumes belong to %s", config.storage.volumes.size(),
                       loaded.config->storage.volumes.size(), user->c_str());
    }
    authd::Session session(connection, std::move(config));
    return session.run();
}

} // namespace

int main(int argc, char **argv)
{
    authd::harden_process();
    // Before any module is loaded: no code from the user's own PKCS#11 config in the process
    // that sees the PIN and password.
    storage::p11::ignore_user_module_config();
    const auto options = parse_options(argc, argv);
    if (!options) {
        std::fprintf(stderr, "usage: rampart-authd (--fd N | --socket-activated) "
                             "[--pam-service NAME] [-v]\n");
        return 2;
    }
    log::init(options->verbose ? log::Level::debug : log::Level::info);
    return serve(*options);
}
