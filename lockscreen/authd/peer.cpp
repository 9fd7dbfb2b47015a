#include "peer.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace rampart::authd {

bool is_unix_stream_socket(int fd)
{
    return sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 0) > 0;
}

std::optional<PeerIdentity> peer_identity(int fd)
{
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 ||
        size != sizeof credentials)
        return std::nullopt;
    return PeerIdentity{credentials.pid, credentials.uid, credentials.gid};
}

namespace {
// Runs a getpw*_r lookup(entry, buffer, size, found), growing the buffer on ERANGE; the
// account's name when there is one.
template <class Lookup> std::optional<std::string> account_name(Lookup lookup)
{
    long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> storage(suggested > 0 ? static_cast<std::size_t>(suggested) : 4096);
    for (;;) {
        passwd entry{};
        passwd *found = nullptr;
        const int error = lookup(entry, storage.data(), storage.size(), found);
        if (error == ERANGE && storage.size() < (1u << 20)) {
            storage.resize(storage.size() * 2);
            continue;
        }
        if (error != 0 || !found || !found->pw_name || !*found->pw_name)
            return std::nullopt;
        return std::string(found->pw_name);
    }
}
} // namespace

std::optional<std::string> user_name(uid_t uid)
{
    return account_name([uid](passwd &entry, char *buffer, std::size_t size, passwd *&found) {
        return getpwuid_r(uid, &entry, buffer, size, &found);
    });
}

bool account_exists(const std::string &name)
{
    return account_name([&](passwd &entry, char *buffer, std::size_t size, passwd *&found) {
               return getpwnam_r(name.c_str(), &entry, buffer, size, &found);
           })
        .has_value();
}

int socket_activated_fd()
{
    // unset_environment: the PAM child and modules must not see LISTEN_* meant for us.
    if (sd_listen_fds(1) != 1)
        return -1;
    return SD_LISTEN_FDS_START;
}

} // namespace rampart::authd
