#include "lock/lock_screen.hpp"

#include "input/input_manager.hpp"
#include "lock_store.hpp"
#include "output.hpp"
#include "overview.hpp"
#include "panel/layout.hpp"
#include "panel_list.hpp"
#include "server.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

namespace rampart {

namespace {
// Journal MESSAGE_IDs (docs/threat-model.md lists them).
constexpr const char *id_locked = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e01";
constexpr const char *id_unlocked = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e02";
constexpr const char *id_failed = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e03";
constexpr const char *id_broker_lost = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e04";
constexpr const char *id_state_unsafe = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e05";

// Where rampart-authd is when neither the command line nor the config says: next to the
// rampart binary (an install or the build tree), then the install's libexecdir.
std::string default_authd_path()
{
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length > 0) {
        std::string dir(self, static_cast<std::size_t>(length));
        dir = dir.substr(0, dir.rfind('/'));
        std::vector<std::string> candidates = {dir + "/rampart-authd"};
        // The build tree (compositor/rampart next to lockscreen/authd/), never an install.
        if (dir.size() > 11 && dir.compare(dir.size() - 11, 11, "/compositor") == 0)
            candidates.push_back(dir + "/../lockscreen/authd/rampart-authd");
        for (const std::string &candidate : candidates)
            if (access(candidate.c_str(), X_OK) == 0)
                return candidate;
    }
    return RAMPART_LIBEXECDIR "/rampart-authd";
}

} // namespace

LockScreen::LockScreen(Server &server)
    : server_(server), controller_({}, *this),
      link_(server.loop, {}, static_cast<AuthLinkHandler &>(*this)), user_name_(lookup_user_name())
{
    apply_config();
}

LockScreen::~LockScreen()
{
    tearing_down_ = true;
    for (wl_event_source *source : {tick_timer_, idle_timer_, redraw_idle_})
        if (source)
            wl_event_source_remove(source);
    link_.stop();
}

void LockScreen::apply_config()
{
    const config::LockConfig &lock = server_.config.lock;
    lockscreen::LockSettings settings;
    settings.free_attempts = static_cast<unsigned>(lock.free_attempts);
    settings.backoff_base = std::chrono::seconds(lock.backoff_base);
    settings.backoff_max = std::chrono::seconds(lock.backoff_max);
    settings.check_timeout = std::chrono::seconds(lock.check_timeout);
    const config::StorageConfig &storage = server_.config.storage;
    // With the system broker the administrator's file decides (the broker reads it; ours may
    // be another): always ask, and it does what its own policy says.
    settings.lock_storage = lock.authd == config::AuthdMode::system || storage.suspends_any();
    controller_.set_settings(settings);
    AuthLinkOptions options;
    options.mode = lock.authd == config::AuthdMode::system ? AuthLinkOptions::Mode::system
                                                           : AuthLinkOptions::Mode::spawn;
    options.authd_path = !server_.options.authd_path.empty() ? server_.options.authd_path
                         : !lock.authd_path.empty()          ? lock.authd_path
                                                             : default_authd_path();
    options.socket_path = lock.authd_socket;
    if (std::filesystem::exists(server_.options.system_config_path))
        options.config_path = std::filesystem::absolute(server_.options.system_config_path);
    link_.set_options(options);
    arm_idle();
    if (engaged())
        changed();
}

std::string LockScreen::state_path() const
{
    // One file per login session, not per Wayland socket: a restart that gets another socket
    // name (someone took wayland-0 meanwhile) must still find it. An explicit --socket names
    // its own (tests run several instances in one runtime directory).
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    const char *session = getenv("XDG_SESSION_ID");
    std::string name = !server_.options.socket_name.empty() ? server_.options.socket_name
                       : session && *session                ? std::string("session-") + session
                                                            : std::string("session");
    for (char &c : name)
        if (c == '/' || c == '.')
            c = '_';
    return lockscreen::lock_state_path(runtime ? runtime : "/tmp", name);
}

lockscreen::Clock LockScreen::now() const
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts); // counts suspend: a wait is not skipped by sleeping
    return lockscreen::Clock(static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000);
}

void LockScreen::restore(bool start_locked)
{
    lockscreen::LoadedLockState loaded = lockscreen::load_lock_state(state_path());
    controller_.restore(loaded.state);
    if (loaded.status == lockscreen::LoadedLockState::Status::unsafe)
        log::security_event(log::Level::error, id_state_unsafe,
                            "lock state cannot be trusted, starting locked: " + loaded.error);
    if (start_locked)
        lock("start");
    else if (loaded.state.locked)
        lock("restart");
}

void LockScreen::lock(const std::string &reason)
{
    if (engaged())
        return;
    last_lock_reason_ = reason;
    shown_reported_ = false;
    controller_.lock(now()); // persists "locked" first: a crash from here on restarts locked
    engage_scene();
    log::security_event(log::Level::info, id_locked, "screen locked (" + reason + ")",
                        {"RAMPART_LOCK_REASON=" + reason});
    server_.events.emit("lock", {{"reason", reason}});
    arm_tick();
}

void LockScreen::engage_scene()
{
    if (server_.overview && server_.overview->is_open())
        server_.overview->close();
    if (server_.panel_list && server_.panel_list->is_open())
        server_.panel_list->close();
    wlr_scene_node_set_enabled(&server_.layers.views->node, false);
    wlr_scene_node_set_enabled(&server_.layers.panels->node, false);
    wlr_scene_node_set_enabled(&server_.layers.overlay->node, false);
    wlr_scene_node_set_enabled(&server_.layers.lock->node, true);
    if (server_.input)
        server_.input->lock_engaged();
    pending_outputs_.clear();
    for (auto &output : server_.outputs)
        output_added(*output);
    check_shown(); // with no output to wait for, it is shown at once
}

void LockScreen::release_scene()
{
    outputs_.clear(); // the lock images go; nothing of them stays in the scene
    pending_outputs_.clear();
    wlr_scene_node_set_enabled(&server_.layers.lock->node, false);
    wlr_scene_node_set_enabled(&server_.layers.views->node, true);
    wlr_scene_node_set_enabled(&server_.layers.panels->node, true);
    wlr_scene_node_set_enabled(&server_.layers.overlay->node, true);
    if (server_.input)
        server_.input->lock_released();
    server_.schedule_panel_update();
}

void LockScreen::output_added(Output &output)
{
    if (!engaged())
        return;
    OutputLock &entry = outputs_[&output];
    if (!entry.image)
        entry.image = std::make_unique<SceneImage>(&server_.layers.lock->node);
    draw(output);
    if (output.wlr->enabled) {
        pending_outputs_.insert(&output);
        wlr_output_schedule_frame(output.wlr);
    }
}

void LockScreen::output_removed(Output &output)
{
    outputs_.erase(&output);
    if (pending_outputs_.erase(&output))
        check_shown();
}

void LockScreen::output_changed(Output &output)
{
    if (engaged() && outputs_.count(&output))
        draw(output);
}

void LockScreen::output_committed(Output &output)
{
    if (engaged() && pending_outputs_.erase(&output))
        check_shown();
}

void LockScreen::backend_started()
{
    backend_started_ = true;
    check_shown();
}

void LockScreen::check_shown()
{
    // Before the backend starts its outputs are not known yet (DRM): not shown anywhere.
    if (!backend_started_ || !engaged() || !pending_outputs_.empty() || shown_reported_)
        return;
    shown_reported_ = true;
    server_.events.emit("locked_shown", {{"reason", last_lock_reason_}});
    session_locked_shown();
}

void LockScreen::handle_key(xkb_state *state, xkb_keycode_t keycode)
{
    if (!engaged())
        return;
    xkb_keysym_t sym = xkb_state_key_get_one_sym(state, keycode);
    bool ctrl =
        xkb_state_mod_name_is_active(state, XKB_MOD_NAME_CTRL, XKB_STATE_MODS_EFFECTIVE) > 0;
    switch (sym) {
    case XKB_KEY_Return:
    case XKB_KEY_KP_Enter: controller_.submit(now()); return;
    case XKB_KEY_BackSpace: controller_.erase_last(); return;
    case XKB_KEY_Escape: controller_.clear_input(); return;
    default: break;
    }
    if (ctrl) {
        if (sym == XKB_KEY_u || sym == XKB_KEY_U)
            controller_.clear_input();
        return; // no other shortcuts: nothing to paste from, nowhere to go
    }
    // Alt or Super with a key is a shortcut the user meant for the desktop, not a character.
    if (xkb_state_mod_name_is_active(state, XKB_MOD_NAME_ALT, XKB_STATE_MODS_EFFECTIVE) > 0 ||
        xkb_state_mod_name_is_active(state, XKB_MOD_NAME_LOGO, XKB_STATE_MODS_EFFECTIVE) > 0)
        return;
    char text[16];
    int length = xkb_state_key_get_utf8(state, keycode, text, sizeof text);
    if (length > 0 && static_cast<std::size_t>(length) < sizeof text &&
        static_cast<unsigned char>(text[0]) >= 0x20 && text[0] != 0x7f)
        controller_.type({text, static_cast<std::size_t>(length)});
    secure::wipe(text, sizeof text);
}

void LockScreen::keyboard_changed()
{
    if (engaged())
        changed();
}

void LockScreen::note_activity()
{
    // Input handling only notes the time: re-arming a timerfd on every pointer motion would
    // be a system call per event. The timer checks the time when it fires.
    last_activity_ = now();
}

void LockScreen::arm_idle()
{
    int seconds = server_.config.lock.effective_idle_timeout();
    if (seconds <= 0 || tearing_down_) {
        if (idle_timer_)
            wl_event_source_timer_update(idle_timer_, 0);
        return;
    }
    if (!idle_timer_)
        idle_timer_ = wl_event_loop_add_timer(
            server_.loop,
            [](void *data) {
                static_cast<LockScreen *>(data)->idle_timer_fired();
                return 0;
            },
            this);
    last_activity_ = now();
    wl_event_source_timer_update(idle_timer_, seconds * 1000);
}

void LockScreen::idle_timer_fired()
{
    if (engaged())
        return; // re-armed at unlock
    lockscreen::Clock timeout = std::chrono::seconds(server_.config.lock.effective_idle_timeout());
    lockscreen::Clock idle = now() - last_activity_;
    if (idle < timeout) {
        // Activity meanwhile: wait for the rest (at least 1 ms: 0 would disarm the timer).
        wl_event_source_timer_update(
            idle_timer_, static_cast<int>(std::max<int64_t>(1, (timeout - idle).count())));
        return;
    }
    lock("idle");
}

void LockScreen::arm_tick()
{
    // Once a second while locked: the clock, countdowns and the state machine's deadlines.
    if (tearing_down_)
        return;
    if (!tick_timer_)
        tick_timer_ = wl_event_loop_add_timer(
            server_.loop,
            [](void *data) {
                auto *self = static_cast<LockScreen *>(data);
                if (!self->engaged())
                    return 0;
                if (self->unsaved_)
                    self->persist(*self->unsaved_);
                self->controller_.tick(self->now());
                if (self->engaged()) {
                    self->redraw_all();
                    self->arm_tick();
                }
                return 0;
            },
            this);
    wl_event_source_timer_update(tick_timer_, 1000);
}

// LockActions

void LockScreen::start_check(uint32_t attempt)
{
    // automatic: an enrolled smartcard, when present, is asked for its PIN instead.
    link_.send(auth::encode(auth::Start{attempt, auth::Method::automatic}));
}

void LockScreen::lock_storage(uint32_t request)
{
    link_.send(auth::encode(auth::StorageRequest{request, auth::StorageOp::lock}));
}

void LockScreen::send_answer(uint32_t attempt, std::span<const char> secret)
{
    link_.send_answer(attempt, secret);
}

void LockScreen::restart_broker()
{
    link_.restart();
}

void LockScreen::stop_broker()
{
    log::security_event(log::Level::error, id_broker_lost,
                        "rampart-authd stopped answering; killed, restarting later");
    server_.events.emit("broker_lost", {{"why", std::string("timeout or protocol violation")}});
    link_.stop();
}

void LockScreen::unlocked()
{
    log::security_event(log::Level::info, id_unlocked, "screen unlocked (" + unlock_by_ + ")",
                        {"RAMPART_UNLOCK_BY=" + unlock_by_});
    release_scene();
    server_.events.emit("unlocked", {{"by", unlock_by_}});
    unlock_by_ = "authd";
    session_unlocked();
    arm_idle();
}

void LockScreen::persist(const lockscreen::PersistentLockState &state)
{
    std::string error;
    if (lockscreen::save_lock_state(state_path(), state, error)) {
        unsaved_.reset();
        return;
    }
    if (!unsaved_) // once per failure, not every retry
        log::security_event(log::Level::error, id_state_unsafe,
                            "cannot keep the lock state (retrying every second while locked): " +
                                error);
    unsaved_ = state;
}

void LockScreen::changed()
{
    // Coalesced: several changes in one dispatch draw once.
    if (redraw_idle_ || tearing_down_ || !engaged())
        return;
    redraw_idle_ = wl_event_loop_add_idle(
        server_.loop,
        [](void *data) {
            auto *self = static_cast<LockScreen *>(data);
            self->redraw_idle_ = nullptr;
            self->redraw_all();
        },
        this);
}

// AuthLinkHandler

void LockScreen::auth_ready()
{
    controller_.broker_ready(now());
}

void LockScreen::auth_lost(const std::string &why)
{
    if (engaged() && controller_.phase() != lockscreen::Phase::backoff) {
        log::security_event(log::Level::error, id_broker_lost, "rampart-authd lost: " + why);
        server_.events.emit("broker_lost", {{"why", why}});
    }
    controller_.broker_lost(now());
}

void LockScreen::auth_message(const auth::Message &message)
{
    lockscreen::Clock time = now();
    if (const auto *prompt = std::get_if<auth::Prompt>(&message)) {
        server_.events.emit("lock_prompt", {{"text", prompt->text}});
        controller_.prompt(*prompt, time);
    } else if (const auto *notice = std::get_if<auth::Notice>(&message)) {
        server_.events.emit("lock_notice", {{"text", notice->text}, {"error", notice->is_error}});
        controller_.notice(*notice);
    } else if (const auto *done = std::get_if<auth::StorageDone>(&message)) {
        server_.events.emit("storage_locked", {{"ok", done->ok}, {"text", done->text}});
        controller_.storage_done(*done, time);
    } else if (const auto *event = std::get_if<auth::Event>(&message)) {
        token_event(*event);
    } else if (const auto *result = std::get_if<auth::Result>(&message)) {
        unsigned before = controller_.failures();
        controller_.result(*result, time);
        if (controller_.failures() > before) {
            log::security_event(log::Level::warning, id_failed, "unlock attempt failed",
                                {"RAMPART_FAILURES=" + std::to_string(controller_.failures())});
            server_.events.emit("auth_failed",
                                {{"failures", static_cast<int64_t>(controller_.failures())}});
        } else if (engaged() && result->status != auth::Status::success) {
            server_.events.emit("auth_not_accepted",
                                {{"status", static_cast<int64_t>(result->status)}});
        }
    }
}

} // namespace rampart
