// Which Wayland globals a client may see and bind: a pure function of who the client is
// and the interface name. Enforced by libwayland's global filter, which hides a global in
// the registry and refuses a bind to it alike.
#pragma once

#include <string_view>

namespace rampart::policy {

enum class ClientClass {
    trusted, // Rampart's own helpers and the owner-only trusted socket
    level,   // an ordinary client: everything arrives through a level's socket
};

// The allow-list for ordinary clients; anything that captures, injects or overlays is
// for trusted clients only. Unknown interfaces are refused (fail closed).
bool interface_allowed(ClientClass client, std::string_view interface);

} // namespace rampart::policy
