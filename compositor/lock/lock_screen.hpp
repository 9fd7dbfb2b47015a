// The lock screen as a state of the compositor (never a client): while engaged, every
// client scene node is disabled, no client has keyboard or pointer focus, and each output
// shows only the lock surface Rampart draws. The state machine (lockscreen/lock_state.hpp)
// decides; this glue shows it, feeds it keys and broker messages, and keeps it on disk.
#pragma once

#include "listener.hpp"
#include "lock/auth_link.hpp"
#include "lock_state.hpp"
#include "lock_view.hpp"
#include "render/cairo_buffer.hpp"
#include "wlr.hpp"
#include "session/logind.hpp"

#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>

namespace rampart {

class Server;
class Output;

class LockScreen final : private lockscreen::LockActions, private AuthLinkHandler {
public:
    explicit LockScreen(Server &server);
    ~LockScreen() override;
    LockScreen(const LockScreen &) = delete;
    LockScreen &operator=(const LockScreen &) = delete;

    void apply_config(); // settings, broker location, idle timer
    // At start: locks if asked to, or if the last run of this session ended locked (or its
    // state cannot be trusted).
    void restore(bool start_locked);

    void lock(const std::string &reason);
    // Locked (from the lock request until the broker's success): clients see nothing.
    bool engaged() const { return controller_.locked(); }
    // The lock has been committed on every enabled output.
    bool shown() const { return engaged() && shown_reported_; }

    // Outputs.
    void output_added(Output &output);
    void output_removed(Output &output);
    void output_changed(Output &output); // mode, scale or position
    void output_committed(Output &output);

    // Input while engaged (keyboard.cpp and input_manager.cpp route it here).
    void handle_key(xkb_state *state, xkb_keycode_t keycode);
    void keyboard_changed(); // Caps Lock, layout
    // Any input from a physical device: restarts the idle timer.
    void note_activity();

    // logind (session/logind.hpp) and the control socket.
    void logind_lock();
    void logind_unlock();
    void prepare_for_sleep(bool going_to_sleep);

    const lockscreen::LockController &controller() const { return controller_; }
    pid_t broker_pid() const { return link_.pid(); }
    // What the screen shows now (tests read it; the painter draws it).
    lockscreen::LockViewModel view_model() const;

    // The backend has started: its outputs exist, so "shown on every output" means something.
    void backend_started();
    // logind (lock_session.cpp): Lock/Unlock signals, LockedHint, the before-sleep inhibitor.
    void connect_session();
    const session::Logind *logind() const { return logind_.get(); }

private:
    // LockActions
    void start_check(uint32_t attempt) override;
    void lock_storage(uint32_t request) override;
    void send_answer(uint32_t attempt, std::span<const char> secret) override;
    void restart_broker() override;
    void stop_broker() override;
    void unlocked() override;
    void persist(const lockscreen::PersistentLockState &state) override;
    void changed() override;
    // AuthLinkHandler
    void auth_ready() override;
    void auth_lost(const std::string &why) override;
    void auth_message(const auth::Message &message) override;
    void token_event(const auth::Event &event); // lock_session.cpp: card removal policy

    lockscreen::Clock now() const;
    void engage_scene();
    void check_shown();
    void release_scene();
    void redraw_all();
    void draw(Output &output);
    void arm_tick();
    void arm_idle();
    void idle_timer_fired();
    std::string state_path() const;
    static std::string lookup_user_name();
    static std::string login_name(); // "" when the uid has no account entry

    Server &server_;
    lockscreen::LockController controller_;
    AuthLink link_;
    struct OutputLock {
        std::unique_ptr<SceneImage> image;
        lockscreen::LockViewModel drawn;
        int width = 0, height = 0;
        float scale = 0;
    };
    std::map<Output *, OutputLock> outputs_;
    std::set<Output *> pending_outputs_; // not yet committed a frame with the lock
    std::string user_name_;
    std::string last_lock_reason_;
    std::string unlock_by_ = "authd";
    bool shown_reported_ = false;
    bool backend_started_ = false;
    lockscreen::Clock last_activity_{0};                     // the last input from a real device
    std::optional<lockscreen::PersistentLockState> unsaved_; // a write failed: retried
    std::unique_ptr<session::Logind> logind_;
    void session_locked_shown(); // lock_session.cpp
    void session_unlocked();
    wl_event_source *tick_timer_ = nullptr;
    wl_event_source *idle_timer_ = nullptr;
    wl_event_source *redraw_idle_ = nullptr;
    bool tearing_down_ = false;
};

} // namespace rampart
