// The compositor's end of the link to rampart-authd: starts the broker over a socketpair (or
// connects to the system service), frames messages in and out on the event loop, and reports
// the broker gone on EOF, error or a malformed frame. No wlroots, no PAM, no secrets kept:
// an answer is framed into locked memory, written, and wiped.
#pragma once

#include "auth_protocol.hpp"

#include <wayland-server-core.h>

#include <memory>
#include <span>
#include <string>
#include <sys/types.h>

namespace rampart {

struct AuthLinkOptions {
    enum class Mode { spawn, system } mode = Mode::spawn;
    std::string authd_path;  // spawn: the broker binary
    std::string socket_path; // system: the service's socket
    std::string config_path; // spawn: the system config the broker reads its volumes from
};

class AuthLinkHandler {
public:
    virtual ~AuthLinkHandler() = default;
    virtual void auth_ready() = 0;                      // connected: requests may be sent
    virtual void auth_lost(const std::string &why) = 0; // gone; nothing more will arrive
    virtual void auth_message(const auth::Message &message) = 0;
};

class AuthLink {
public:
    AuthLink(wl_event_loop *loop, AuthLinkOptions options, AuthLinkHandler &handler);
    ~AuthLink();
    AuthLink(const AuthLink &) = delete;
    AuthLink &operator=(const AuthLink &) = delete;

    void set_options(AuthLinkOptions options) { options_ = std::move(options); }
    // Drops any current broker, then starts or connects a new one. Reports auth_ready or
    // auth_lost (possibly before returning).
    void restart();
    // Drops the broker (killed when it is our child) without reporting auth_lost.
    void stop();
    bool connected() const { return fd_ >= 0; }
    pid_t pid() const { return pid_; }

    // Each returns false (after reporting auth_lost) when the broker cannot take it.
    bool send(const std::vector<std::uint8_t> &frame);
    bool send_answer(std::uint32_t attempt, std::span<const char> secret);

private:
    bool spawn_broker(std::string &why);
    bool connect_service(std::string &why);
    bool write_all(const void *data, std::size_t size);
    void handle_readable(std::uint32_t mask);
    void lose(const std::string &why);
    static int on_fd(int fd, std::uint32_t mask, void *data);

    wl_event_loop *loop_;
    AuthLinkOptions options_;
    AuthLinkHandler &handler_;
    int fd_ = -1;
    pid_t pid_ = -1;
    wl_event_source *source_ = nullptr;
    std::unique_ptr<auth::Decoder> decoder_ = std::make_unique<auth::Decoder>();
    bool in_dispatch_ = false;
};

} // namespace rampart
