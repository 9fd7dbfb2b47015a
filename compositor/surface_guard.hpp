// Watches every wl_surface's commits and disconnects a client whose surface exceeds the
// configured maximum size, before it can cost memory or cover anything.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace rampart {

class Server;

class SurfaceGuard {
public:
    SurfaceGuard(Server &server, wlr_surface *surface);
    SurfaceGuard(const SurfaceGuard &) = delete;
    SurfaceGuard &operator=(const SurfaceGuard &) = delete;

private:
    void check();

    Server &server_;
    wlr_surface *surface_;
    bool refused_ = false;
    Listener commit_, destroy_;
};

} // namespace rampart
