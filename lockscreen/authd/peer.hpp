// Who is on the other end of the connection, and whom to authenticate.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace rampart::authd {

struct PeerIdentity {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

// True for a connected AF_UNIX stream socket.
bool is_unix_stream_socket(int fd);
// The kernel's SO_PEERCRED record: the credentials at connect()/socketpair() time.
std::optional<PeerIdentity> peer_identity(int fd);
// The account name for `uid` from the user database; never from the client.
std::optional<std::string> user_name(uid_t uid);
// Whether the user database knows `name` (a volume owner that resolves to nobody is a typo).
bool account_exists(const std::string &name);
// The connection systemd passed (Accept=yes: exactly one descriptor, fd 3); -1 otherwise.
int socket_activated_fd();

} // namespace rampart::authd
