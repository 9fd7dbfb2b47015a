#include "client.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <poll.h>
#include <unistd.h>

#include "seat.hpp"
#include "window.hpp"

namespace rampart::test_client {

namespace {

// Highest versions whose requests and events this client implements.
constexpr uint32_t compositor_version = 4; // wl_surface.damage_buffer
constexpr uint32_t wm_base_version = 5;    // configure_bounds (v4), wm_capabilities (v5)
constexpr uint32_t seat_version = 8;       // wl_pointer.axis_value120

template <typename T>
T *bind(wl_registry *registry, uint32_t name, const wl_interface &iface, uint32_t advertised,
        uint32_t implemented)
{
    return static_cast<T *>(
        wl_registry_bind(registry, name, &iface, std::min(advertised, implemented)));
}

} // namespace

const char *surface_kind_name(SurfaceKind kind)
{
    switch (kind) {
    case SurfaceKind::toplevel: return "toplevel";
    case SurfaceKind::popup: return "popup";
    case SurfaceKind::subsurface: return "subsurface";
    }
    return "unknown";
}

Client::Client(Options options) : options_(std::move(options)) {}

// Windows and the seat go before the globals they were created from, then the display.
Client::~Client()
{
    windows_.clear();
    pending_tokens_.clear();
    pending_syncs_.clear();
    seat_.reset();
    globals_ = Globals{};
    registry_.reset();
    display_.reset();
}

uint32_t Client::shm_format() const
{
    return options_.alpha ? WL_SHM_FORMAT_ARGB8888 : WL_SHM_FORMAT_XRGB8888;
}

void Client::log(const JsonLine &line) const
{
    if (options_.log)
        line.print();
}

void Client::exit(int code)
{
    if (!exit_code_)
        exit_code_ = code;
}

void Client::fail(const std::string &message, int code)
{
    std::fprintf(stderr, "rampart-test-client: %s\n", message.c_str());
    exit(code);
}

void Client::handle_global(void *data, wl_registry *registry, uint32_t name, const char *interface,
                           uint32_t version)
{
    auto *self = static_cast<Client *>(data);
    self->global_names_.emplace_back(interface);
    Globals &g = self->globals_;
    std::string_view which = interface;
    if (which == wl_compositor_interface.name && !g.compositor) {
        if (version >= compositor_version)
            g.compositor.reset(bind<wl_compositor>(registry, name, wl_compositor_interface, version,
                                                   compositor_version));
    } else if (which == wl_subcompositor_interface.name && !g.subcompositor) {
        g.subcompositor.reset(
            bind<wl_subcompositor>(registry, name, wl_subcompositor_interface, version, 1));
    } else if (which == wl_shm_interface.name && !g.shm) {
        g.shm.reset(bind<wl_shm>(registry, name, wl_shm_interface, version, 1));
    } else if (which == xdg_wm_base_interface.name && !g.wm_base) {
        g.wm_base.reset(
            bind<xdg_wm_base>(registry, name, xdg_wm_base_interface, version, wm_base_version));
        static const xdg_wm_base_listener wm_base_listener = {.ping = &Client::handle_ping};
        xdg_wm_base_add_listener(g.wm_base.get(), &wm_base_listener, self);
    } else if (which == zxdg_decoration_manager_v1_interface.name && !g.decoration_manager) {
        g.decoration_manager.reset(bind<zxdg_decoration_manager_v1>(
            registry, name, zxdg_decoration_manager_v1_interface, version, 1));
    } else if (which == xdg_activation_v1_interface.name && !g.activation) {
        g.activation.reset(
            bind<xdg_activation_v1>(registry, name, xdg_activation_v1_interface, version, 1));
    } else if (which == wl_seat_interface.name && !self->seat_) {
        // Only the first seat: tests run with one.
        self->seat_ = std::make_unique<Seat>(
            *self, bind<wl_seat>(registry, name, wl_seat_interface, version, seat_version));
    }
}

void Client::handle_global_remove(void *, wl_registry *, uint32_t) {}

void Client::handle_ping(void *, xdg_wm_base *wm_base, uint32_t serial)
{
    xdg_wm_base_pong(wm_base, serial);
}

bool Client::connect()
{
    display_.reset(wl_display_connect(options_.display ? options_.display->c_str() : nullptr));
    if (!display_) {
        fail(std::string("cannot connect to Wayland display ") +
             (options_.display ? "'" + *options_.display + "'" : "($WAYLAND_DISPLAY)") + ": " +
             std::strerror(errno));
        return false;
    }
    static const wl_registry_listener listener = {
        .global = &Client::handle_global,
        .global_remove = &Client::handle_global_remove,
    };
    registry_.reset(wl_display_get_registry(display_.get()));
    wl_registry_add_listener(registry_.get(), &listener, this);
    if (wl_display_roundtrip(display_.get()) < 0) {
        report_disconnect();
        return false;
    }
    log(JsonLine("globals").strs("names", global_names_));

    const char *missing = !globals_.compositor ? "wl_compositor (version >= 4)"
                          : !globals_.shm      ? "wl_shm"
                          : !globals_.wm_base  ? "xdg_wm_base"
                                               : nullptr;
    if (missing) {
        fail(std::string("compositor lacks ") + missing);
        return false;
    }
    return true;
}

void Client::create_window(int index)
{
    std::string title = options_.title;
    if (options_.windows > 1)
        title += " " + std::to_string(index);
    // The last window is created, hence mapped and stacked, last: it animates and gets
    // the extras.
    bool last = index == options_.windows;
    windows_.push_back(std::make_unique<Window>(*this, index, std::move(title), last));
}

void Client::window_mapped(Window &window)
{
    // One at a time, so window N maps (and stacks) after window N-1.
    if (window.index() < options_.windows)
        create_window(window.index() + 1);
    if (options_.animate != Animate::none && window.index() == options_.windows)
        animation_start_ = Clock::now();
}

bool Client::frame_done()
{
    ++frames_;
    if (options_.frames && frames_ >= *options_.frames) {
        exit(0);
        return false;
    }
    return !exit_code_;
}

void Client::window_closed(Window &window)
{
    window.close();
    any_window_closed_ = true;
}

void Client::reap_closed_windows()
{
    if (!any_window_closed_)
        return;
    any_window_closed_ = false;
    std::erase_if(windows_, [](const auto &window) { return window->closed(); });
    // All gone (and no more to create): nothing left to show.
    if (windows_.empty())
        exit(0);
}

Client::SurfaceOwner Client::find_surface(wl_surface *surface) const
{
    if (!surface)
        return {};
    for (const auto &window : windows_) {
        if (window->surface() == surface)
            return {window.get(), SurfaceKind::toplevel};
        if (window->popup_surface() == surface)
            return {window.get(), SurfaceKind::popup};
        if (window->subsurface_surface() == surface)
            return {window.get(), SurfaceKind::subsurface};
    }
    return {};
}

Window *Client::find_window(int index) const
{
    for (const auto &window : windows_)
        if (window->index() == index && !window->closed())
            return window.get();
    return nullptr;
}

std::optional<int> Client::poll_timeout_ms() const
{
    if (!deadline_)
        return std::nullopt;
    auto left = std::chrono::duration<double, std::milli>(*deadline_ - Clock::now()).count();
    return int(std::clamp(std::ceil(left), 0.0, 1e9));
}

bool Client::dispatch_once()
{
    wl_display *display = display_.get();
    // Standard prepare/read/dispatch so the fd can be polled together with stdin.
    while (wl_display_prepare_read(display) != 0) {
        if (wl_display_dispatch_pending(display) < 0)
            return false;
    }
    if (exit_code_) {
        wl_display_cancel_read(display);
        return true;
    }
    int flushed = wl_display_flush(display);
    if (flushed < 0 && errno != EAGAIN) {
        wl_display_cancel_read(display);
        return false;
    }

    pollfd fds[2] = {
        {wl_display_get_fd(display), short(POLLIN | (flushed < 0 ? POLLOUT : 0)), 0},
        {STDIN_FILENO, POLLIN, 0},
    };
    nfds_t count = stdin_open_ ? 2 : 1;
    int ready = poll(fds, count, poll_timeout_ms().value_or(-1));
    if (ready < 0) {
        wl_display_cancel_read(display);
        if (errno != EINTR)
            fail(std::string("poll: ") + std::strerror(errno));
        return true;
    }
    if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
        if (wl_display_read_events(display) < 0)
            return false;
    } else {
        wl_display_cancel_read(display);
    }
    if (wl_display_dispatch_pending(display) < 0)
        return false;
    if (count == 2 && fds[1].revents)
        read_stdin();
    if (deadline_ && Clock::now() >= *deadline_)
        exit(0);
    return true;
}

void Client::report_disconnect()
{
    int err = display_ ? wl_display_get_error(display_.get()) : 0;
    std::string text = err ? std::strerror(err) : "connection closed";
    JsonLine line("disconnected");
    if (err == EPROTO) {
        const wl_interface *iface = nullptr;
        uint32_t object_id = 0;
        uint32_t code = wl_display_get_protocol_error(display_.get(), &iface, &object_id);
        std::string name = iface ? iface->name : "unknown";
        text = "protocol error " + std::to_string(code) + " on " + name + "@" +
               std::to_string(object_id);
        line.str("error", text)
            .str("interface", name)
            .num("code", code)
            .num("object_id", object_id);
    } else {
        line.str("error", text);
    }
    log(line.num("errno", err));
    std::fprintf(stderr, "rampart-test-client: disconnected: %s\n", text.c_str());
    exit(3);
}

void Client::print_stats() const
{
    double seconds = 0;
    if (animation_start_)
        seconds = std::chrono::duration<double>(Clock::now() - *animation_start_).count();
    JsonLine("stats").num("frames", int64_t(frames_)).real("seconds", seconds).print();
}

int Client::run()
{
    if (!connect())
        return exit_code_.value_or(1);
    if (options_.duration)
        deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(*options_.duration));
    stdin_open_ = options_.read_stdin;
    create_window(1);
    while (!exit_code_) {
        if (!dispatch_once()) {
            report_disconnect();
            break;
        }
        reap_closed_windows();
    }
    // Flush whatever the last handlers sent (e.g. a final commit) before tearing down.
    wl_display_flush(display_.get());
    if (options_.animate != Animate::none)
        print_stats();
    return *exit_code_;
}

} // namespace rampart::test_client
