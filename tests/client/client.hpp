// The connection: registry globals, windows, the poll loop over the Wayland fd and stdin,
// and exit bookkeeping. Input lives in seat.cpp, stdin commands in commands.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_line.hpp"
#include "options.hpp"
#include "wl_ptr.hpp"

namespace rampart::test_client {

class Seat;
class Window;

// Globals we bind, at the versions this client implements.
struct Globals {
    wl_compositor_ptr compositor;
    wl_subcompositor_ptr subcompositor;
    wl_shm_ptr shm;
    xdg_wm_base_ptr wm_base;
    zxdg_decoration_manager_v1_ptr decoration_manager;
    xdg_activation_v1_ptr activation;
};

enum class SurfaceKind { toplevel, popup, subsurface };
const char *surface_kind_name(SurfaceKind kind);

class Client {
public:
    explicit Client(Options options);
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // Connects, runs until an exit condition, returns the process exit code.
    int run();

    const Options &options() const { return options_; }
    const Globals &globals() const { return globals_; }
    uint32_t shm_format() const;

    // Prints the line only with --log.
    void log(const JsonLine &line) const;
    // Ends the loop after the current dispatch; the first code requested wins.
    void exit(int code);
    // Reports `message` on stderr and exits with `code`.
    void fail(const std::string &message, int code = 1);

    // Window notifications.
    void window_mapped(Window &window);
    // Counts a frame callback of the animated window; false once --frames is reached.
    bool frame_done();
    uint64_t frame_count() const { return frames_; }
    // Window asked to go away (xdg_toplevel.close or `close` command); reaped by the loop.
    void window_closed(Window &window);

    // Which window (and which of its surfaces) `surface` belongs to.
    struct SurfaceOwner {
        Window *window = nullptr;
        SurfaceKind kind = SurfaceKind::toplevel;
    };
    SurfaceOwner find_surface(wl_surface *surface) const;
    // Live (not closed) window by its 1-based number, or nullptr.
    Window *find_window(int index) const;

private:
    bool connect();
    void create_window(int index);
    void reap_closed_windows();
    bool dispatch_once(); // false when the connection is gone
    void report_disconnect();
    void print_stats() const;
    std::optional<int> poll_timeout_ms() const;

    static void handle_global(void *data, wl_registry *registry, uint32_t name,
                              const char *interface, uint32_t version);
    static void handle_global_remove(void *data, wl_registry *registry, uint32_t name);
    static void handle_ping(void *data, xdg_wm_base *wm_base, uint32_t serial);

    // commands.cpp
    void read_stdin();
    void run_command(std::string_view line);
    Window *window_by_index(std::string_view text);
    void request_activation_token(Window *window, bool with_serial = true);
    void request_sync(std::string tag);
    static void handle_token_done(void *data, xdg_activation_token_v1 *token, const char *text);
    static void handle_sync_done(void *data, wl_callback *callback, uint32_t serial);

    using Clock = std::chrono::steady_clock;

    Options options_;
    wl_display_ptr display_;
    wl_registry_ptr registry_;
    Globals globals_;
    std::vector<std::string> global_names_;
    std::unique_ptr<Seat> seat_;
    std::vector<std::unique_ptr<Window>> windows_;
    bool any_window_closed_ = false;

    std::optional<int> exit_code_;
    std::optional<Clock::time_point> deadline_;
    std::optional<Clock::time_point> animation_start_;
    uint64_t frames_ = 0;

    bool stdin_open_ = false;
    std::string stdin_buffer_;
    std::vector<xdg_activation_token_v1_ptr> pending_tokens_;
    struct PendingSync {
        wl_callback_ptr callback;
        std::string tag;
    };
    std::vector<std::unique_ptr<PendingSync>> pending_syncs_;
};

} // namespace rampart::test_client
