// The lock screen and systemd-logind: logind's Lock (loginctl lock-session) locks; its Unlock
// is obeyed only when the administrator allows it; LockedHint follows the lock; and while
// unlocked a "delay" sleep inhibitor is held, released only once the lock is on every output,
// so the machine never suspends (and resumes) showing the desktop.
#include "lock/lock_screen.hpp"

#include "server.hpp"
#include "util/log.hpp"

namespace rampart {

namespace {
constexpr const char *id_unlock_refused = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f3e06";
} // namespace

void LockScreen::connect_session()
{
    const config::LockConfig &config = server_.config.lock;
    if (!config.logind || server_.options.logind_bus_address == "none")
        return;
    session::LogindOptions options;
    options.bus_address = server_.options.logind_bus_address;
    session::LogindCallbacks callbacks;
    callbacks.lock = [this] { logind_lock(); };
    callbacks.unlock = [this] { logind_unlock(); };
    callbacks.prepare_for_sleep = [this](bool going) { prepare_for_sleep(going); };
    logind_ = session::Logind::connect(server_.loop, options, std::move(callbacks));
    if (!logind_) {
        log::warning("lock: logind is not reachable: no Lock signal, LockedHint or lock before "
                     "sleep in this session");
        return;
    }
    if (!engaged() && logind_->locked_hint_at_start().value_or(false)) {
        // logind says this session was locked: a previous run died locked, perhaps without
        // managing to write its state file. Fail closed.
        lock("restart");
    }
    if (engaged()) {
        if (shown())
            logind_->set_locked_hint(true);
    } else {
        logind_->set_locked_hint(false);
        if (config.lock_before_sleep)
            logind_->take_sleep_delay();
    }
}

void LockScreen::session_locked_shown()
{
    if (!logind_)
        return;
    logind_->set_locked_hint(true);
    if (logind_->holds_sleep_delay() || logind_->sleep_delay_pending()) {
        logind_->release_sleep_delay(); // the lock is on screen: sleep may go ahead
        server_.events.emit("sleep_inhibitor_released");
    }
}

void LockScreen::session_unlocked()
{
    if (!logind_)
        return;
    logind_->set_locked_hint(false);
    if (server_.config.lock.lock_before_sleep)
        logind_->take_sleep_delay();
}

void LockScreen::token_event(const auth::Event &event)
{
    if (event.kind != auth::EventKind::token_removed)
        return;
    server_.events.emit("token_removed", {{"text", event.text}});
    if (server_.config.storage.card_removal == config::CardRemoval::lock) {
        log::info("lock: the token that unlocked the session was removed; locking");
        lock("card-removed");
    }
}

void LockScreen::logind_lock()
{
    lock("logind");
}

void LockScreen::logind_unlock()
{
    if (!engaged())
        return;
    if (!server_.config.lock.allow_logind_unlock) {
        log::security_event(log::Level::warning, id_unlock_refused,
                            "logind asked to unlock; refused by policy (lock.allow_logind_unlock)");
        server_.events.emit("logind_unlock_refused", {{"reason", "policy"}});
        return;
    }
    // logind has no password to give the broker: volumes suspended at lock would stay
    // suspended behind an unlocked screen, and every program touching them would hang. (Our
    // view of the system config; without an account name, every volume counts.)
    const std::string name = login_name();
    const config::StorageConfig mine =
        name.empty() ? server_.config.storage : server_.config.storage.owned_by(name);
    if (mine.suspends_any()) {
        log::security_event(log::Level::warning, id_unlock_refused,
                            "logind asked to unlock; refused: encrypted storage suspended at "
                            "lock needs the password or card");
        server_.events.emit("logind_unlock_refused", {{"reason", "storage"}});
        return;
    }
    unlock_by_ = "logind";
    controller_.force_unlock();
}

void LockScreen::prepare_for_sleep(bool going_to_sleep)
{
    server_.events.emit("prepare_for_sleep", {{"going_to_sleep", going_to_sleep}});
    if (going_to_sleep) {
        if (server_.config.lock.lock_before_sleep)
            lock("sleep");
        return;
    }
    // Resumed. Normally still locked; if not (lock_before_sleep off), hold the delay again.
    if (!engaged() && logind_ && server_.config.lock.lock_before_sleep)
        logind_->take_sleep_delay();
}

} // namespace rampart
