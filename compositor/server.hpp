// The compositor: owns the display, backend, renderer, scene and every output, view and
// input device. Tests construct it in process on the headless backend; main.cpp wraps it.
#pragma once

#include "config/config.hpp"
#include "panel/layout.hpp"
#include "panel/model.hpp"
#include "listener.hpp"
#include "util/event_log.hpp"
#include "wlr.hpp"
#include "wm/geometry.hpp"

#include <chrono>
#include <unordered_map>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rampart {

class Output;
class View;
class InputManager;
class SurfaceGuard;
class Popup;
class Keyboard;
class ListeningSocket;
class Overview;
class PanelList;
class LockScreen;
namespace control {
class ControlSocket;
}
struct FrameIdentity;

// Where a client connected: the trusted path, or a level's socket (index into the levels).
struct ClientOrigin {
    bool trusted = false;
    int level = -1;
};

struct ServerOptions {
    enum class Backend { automatic, headless };
    Backend backend = Backend::automatic;
    int headless_outputs = 1;
    int headless_width = 1920, headless_height = 1080;
    std::string system_config_path, user_config_path; // for reload (SIGHUP)
    std::string socket_name;                          // empty: the first free wayland-N
    std::string event_log;                            // "" none, "-" stdout, or a path
    std::string trusted_socket_path; // "" none: owner-only socket for grim/wtype in tests
    bool handle_signals = true;      // SIGTERM/SIGINT/SIGHUP; tests turn it off
    bool start_locked = false;       // --start-locked: the first frame is the lock screen
    std::string authd_path;          // the broker binary (overrides lock.authd_path)
    std::string logind_bus_address;  // "" the system bus; tests: a private bus, or "none"
};

class Server {
public:
    Server(ServerOptions options, config::Config config);
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Creates the backend, globals and socket; false with `error` set on failure.
    bool start(std::string &error);
    void run(); // until terminate()
    void terminate();

    // Reloads the config files; on error the running config stays and false is returned.
    bool reload_config(std::string &error);
    void apply_config(const config::Config &config);

    // Window management (called by input handling and by tests).
    // Gives `view` the keyboard and raises it. `remember` puts it first in the
    // most-recently-used order; Alt+Tab defers that until Alt is released.
    void focus_view(View *view, bool raise = true, bool remember = true);
    View *focused_view() const;
    void cycle_focus(bool forward);
    void end_focus_cycle();
    void run_action(config::Action action, const std::string &argument, Keyboard *keyboard);
    void close_focused();
    void spawn(const std::string &command);
    void send_to_output(View *view, const std::string &which);
    Output *output_at(double lx, double ly) const;
    Output *output_for_view(const View *view) const;
    Output *primary_output() const;
    // The box a scene node's subtree is clipped to (see render/scene_renderer.hpp).
    std::optional<wm::Box> clip_for_node(wlr_scene_node *node) const;
    View *view_at(double lx, double ly, wlr_surface **surface, double *sx, double *sy) const;
    wlr_scene_node *node_at(wlr_scene_node *node, int parent_x, int parent_y, double lx, double ly,
                            std::optional<wm::Box> clip, double *nx, double *ny) const;
    void note_user_typed();
    bool user_is_typing() const;
    void arrange_all(); // re-fit every view after an output change

    // The trusted panel (panel_glue.cpp).
    panel::PanelModel panel_model() const;
    void schedule_panel_update(); // coalesced: one redraw per loop iteration at most
    void update_panels();
    void panel_clicked(const panel::Hit &hit, uint32_t button, const wm::Box &entry_box);

    // Called by View/Output on their own lifecycle.
    void view_mapped(View *view);
    void view_unmapped(View *view);
    void view_destroyed(View *view);
    void output_destroyed(Output *output);
    void popup_destroyed(Popup *popup);
    void surface_guard_done(SurfaceGuard *guard);

    // Whether a client came through the trusted path (socketpair or trusted socket).
    bool client_is_trusted(const wl_client *client) const;
    // A client's level index, fixed when it connected; trusted_level or unknown_level else.
    static constexpr int trusted_level = -1, unknown_level = -2;
    int level_of(const wl_client *client) const;
    std::string level_name(int level) const;
    // How a window of that level is framed.
    FrameIdentity identity_for_level(int level) const;
    // The size limit for surfaces of a client at that level.
    wm::Size max_surface_size(int level) const;
    // Whether a trusted socket is configured: capture and injection globals exist only then.
    bool trusted_socket_configured() const;
    // A trusted connection for one of Rampart's own helpers; returns the helper's end.
    int connect_trusted_helper();

    // Public state for the glue classes; tests read it through the same members.
    ServerOptions options;
    config::Config config;
    EventLog events;

    wl_display *display = nullptr;
    wl_event_loop *loop = nullptr;
    wlr_backend *backend = nullptr;
    wlr_backend *headless_backend = nullptr; // set when running headless (tests add devices)
    wlr_session *session = nullptr;
    wlr_renderer *renderer = nullptr;
    wlr_allocator *allocator = nullptr;
    wlr_compositor *compositor = nullptr;
    wlr_scene *scene = nullptr;
    wlr_output_layout *output_layout = nullptr;
    wlr_xdg_shell *xdg_shell = nullptr;
    wlr_seat *seat = nullptr;
    wlr_presentation *presentation = nullptr;
    wlr_xdg_activation_v1 *activation = nullptr;
    wlr_xdg_decoration_manager_v1 *decoration_manager = nullptr;

    // Scene layers, bottom to top.
    struct {
        wlr_scene_tree *background = nullptr;
        wlr_scene_tree *views = nullptr;
        wlr_scene_tree *panels = nullptr;  // the trusted panel, above every client
        wlr_scene_tree *overlay = nullptr; // the overview and other compositor UI
        wlr_scene_tree *lock = nullptr;    // the lock screen; the only layer enabled when locked
    } layers;

    std::unique_ptr<InputManager> input;
    std::unique_ptr<Overview> overview;
    std::unique_ptr<PanelList> panel_list;
    std::unique_ptr<LockScreen> lock_screen;
    // Whether the lock screen is engaged: no client sees or receives anything.
    bool locked() const;
    void lock(const std::string &reason);
    std::vector<std::unique_ptr<Output>> outputs;
    std::list<std::unique_ptr<View>> views; // owning, creation order
    std::list<std::unique_ptr<Popup>> popups;
    std::vector<View *> focus_order; // mapped views, most recently used first
    std::string socket_name;
    uint64_t next_view_id = 1;
    int placed_count = 0; // drives cascade placement

private:
    bool create_backend(std::string &error);
    void create_globals();
    bool create_sockets(std::string &error);
    void accept_client(int fd, ClientOrigin origin);
    int plain_socket_level() const;
    bool window_limit_reached(wlr_xdg_surface *surface);
    void handle_new_output(wlr_output *output);
    void handle_new_xdg_surface(wlr_xdg_surface *surface);
    void handle_new_surface(wlr_surface *surface);
    void handle_new_decoration(wlr_xdg_toplevel_decoration_v1 *decoration);
    void handle_client_created_event(wl_client *client);
    static bool global_filter(const wl_client *client, const wl_global *global, void *data);
    static void protocol_logger(void *data, wl_protocol_logger_type direction,
                                const wl_protocol_logger_message *message);
    void log_refused_bind(wl_client *client, const char *interface);
    wl_protocol_logger *protocol_logger_ = nullptr;
    void handle_activation_request(wlr_xdg_activation_v1_request_activate_event *event);
    void handle_signal(int signal);
    bool start_control_socket(std::string &error); // control_glue.cpp
    std::string handle_control(const std::vector<std::string> &words, pid_t peer);
    std::unique_ptr<control::ControlSocket> control_socket_;
    void reap_children();

    std::chrono::steady_clock::time_point last_key_time_{};
    std::set<pid_t> spawned_;
    std::vector<wl_event_source *> signal_sources_;
    std::vector<std::unique_ptr<ListeningSocket>> sockets_;
    std::list<std::unique_ptr<SurfaceGuard>> surface_guards_;
    View *focused_ = nullptr;
    void start_panel_clock();
    void arm_panel_clock();
    void start_level_flash();
    wl_event_source *panel_update_idle_ = nullptr;
    bool tearing_down_ = false; // no new event sources once the destructor has begun
    wl_event_source *clock_timer_ = nullptr, *flash_timer_ = nullptr;
    float flash_ = 0;
    std::vector<View *> cycle_snapshot_; // focus order frozen while Alt+Tab is held
    int cycle_index_ = 0;

    struct DecorationRecord {
        Listener request_mode, destroy;
    };
    std::list<std::unique_ptr<DecorationRecord>> decorations_;

    struct ClientRecord {
        ClientOrigin origin;
        pid_t pid = 0;
        std::set<std::string> refused_interfaces; // logged once per client and interface
        Listener destroy;
    };
    std::unordered_map<const wl_client *, std::unique_ptr<ClientRecord>> clients_;
    std::optional<ClientOrigin> accepting_; // set while one of our sockets creates a client
    Listener client_created_;

    Listener new_output_, new_xdg_surface_, new_surface_, new_decoration_, request_activate_;
    Listener backend_destroy_;
};

} // namespace rampart
