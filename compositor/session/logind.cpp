#include "session/logind.hpp"

#include "session/bus_connection.hpp"
#include "util/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace rampart::session {
namespace {

constexpr const char *logind_name = "org.freedesktop.login1";
constexpr const char *manager_path = "/org/freedesktop/login1";
constexpr const char *manager_interface = "org.freedesktop.login1.Manager";
constexpr const char *session_interface = "org.freedesktop.login1.Session";
constexpr const char *driver_name = "org.freedesktop.DBus";
constexpr const char *driver_path = "/org/freedesktop/DBus";
constexpr const char *message_forged_signal = "7d1c0a5e2b9f4c3e8a6d5b4c3a2f4e02";

constexpr uint64_t connect_budget_usec = 1000 * 1000;
constexpr uint64_t call_timeout_usec = 5000 * 1000;

// What is left of the connect budget, at least 1 µs (0 would mean "sd-bus default").
uint64_t left_until(uint64_t deadline)
{
    uint64_t now = monotonic_usec();
    return deadline > now ? deadline - now : 1;
}

} // namespace

void Logind::SlotDeleter::operator()(sd_bus_slot *slot) const
{
    sd_bus_slot_unref(slot);
}

void Logind::Fd::reset(int next)
{
    if (fd >= 0)
        close(fd);
    fd = next;
}

struct Logind::Handlers {
    static int on_session_signal(sd_bus_message *message, void *data, sd_bus_error *error);
    static int on_prepare_for_sleep(sd_bus_message *message, void *data, sd_bus_error *error);
    static int on_owner_changed(sd_bus_message *message, void *data, sd_bus_error *error);
    static int on_inhibit_reply(sd_bus_message *message, void *data, sd_bus_error *error);
    static int on_locked_hint_reply(sd_bus_message *message, void *data, sd_bus_error *error);
};

Logind::Logind(Private, wl_event_loop *loop, LogindCallbacks callbacks)
    : loop_(loop), callbacks_(std::move(callbacks))
{
}

Logind::~Logind() = default;

bool Logind::connected() const
{
    return bus_ && bus_->connected();
}

const std::string &Logind::unique_name() const
{
    return bus_->unique_name();
}

std::unique_ptr<Logind> Logind::connect(wl_event_loop *loop, const LogindOptions &options,
                                        LogindCallbacks callbacks)
{
    if (!loop) {
        log::error("logind: no event loop");
        return nullptr;
    }
    auto logind = std::make_unique<Logind>(Private{}, loop, std::move(callbacks));
    if (!logind->start(options))
        return nullptr;
    return logind;
}

bool Logind::start(const LogindOptions &options)
{
    uint64_t deadline = monotonic_usec() + connect_budget_usec;
    bus_ = BusConnection::open(options.bus_address, deadline, "logind");
    if (!bus_ || !watch_owner(deadline) || !resolve_session(options.session_id, deadline) ||
        !add_matches())
        return false;
    // A previous run may have died locked: logind remembers LockedHint (lock_session.cpp).
    int hint = 0;
    BusError error;
    sd_bus_set_method_call_timeout(bus_->get(), left_until(deadline));
    if (sd_bus_get_property_trivial(bus_->get(), logind_name, session_path_.c_str(),
                                    "org.freedesktop.login1.Session", "LockedHint", &error.error,
                                    'b', &hint) >= 0)
        locked_hint_at_start_ = hint != 0;
    else
        log::warning("logind: cannot read LockedHint: %s", error.text());
    sd_bus_set_method_call_timeout(bus_->get(), call_timeout_usec); // for the async calls
    if (!bus_->attach(loop_))
        return false;
    log::info("logind: session %s, logind is %s, we are %s", session_path_.c_str(), owner_.c_str(),
              bus_->unique_name().c_str());
    return true;
}

bool Logind::watch_owner(uint64_t deadline)
{
    // Subscribe before asking, so no change of owner can slip in between.
    sd_bus_set_method_call_timeout(bus_->get(), left_until(deadline));
    std::string rule = std::string("type='signal',sender='") + driver_name + "',path='" +
                       driver_path + "',interface='" + driver_name +
                       "',member='NameOwnerChanged',arg0='" + logind_name + "'";
    sd_bus_slot *slot = nullptr;
    int r = sd_bus_add_match(bus_->get(), &slot, rule.c_str(), Handlers::on_owner_changed, this);
    owner_match_.reset(slot);
    if (r < 0) {
        log::error("logind: cannot watch the owner of %s: %s", logind_name, strerror(-r));
        return false;
    }
    BusError error;
    sd_bus_message *raw = nullptr;
    sd_bus_set_method_call_timeout(bus_->get(), left_until(deadline));
    r = sd_bus_call_method(bus_->get(), driver_name, driver_path, driver_name, "GetNameOwner",
                           &error.error, &raw, "s", logind_name);
    BusMessage reply(raw);
    const char *owner = nullptr;
    if (r < 0 || sd_bus_message_read(reply.get(), "s", &owner) < 0 || !owner) {
        log::error("logind: %s is not on the bus (%s); no lock/unlock from logind", logind_name,
                   r < 0 ? error.text() : "bad reply");
        return false;
    }
    owner_ = owner;
    return true;
}

bool Logind::resolve_session(const std::string &session_id, uint64_t deadline)
{
    std::string id = session_id;
    if (id.empty()) {
        const char *env = std::getenv("XDG_SESSION_ID");
        id = env ? env : "";
    }
    BusError error;
    sd_bus_message *raw = nullptr;
    sd_bus_set_method_call_timeout(bus_->get(), left_until(deadline));
    int r;
    if (!id.empty())
        r = sd_bus_call_method(bus_->get(), logind_name, manager_path, manager_interface,
                               "GetSession", &error.error, &raw, "s", id.c_str());
    else
        r = sd_bus_call_method(bus_->get(), logind_name, manager_path, manager_interface,
                               "GetSessionByPID", &error.error, &raw, "u",
                               static_cast<uint32_t>(getpid()));
    BusMessage reply(raw);
    const char *path = nullptr;
    if (r < 0 || sd_bus_message_read(reply.get(), "o", &path) < 0 || !path) {
        std::string which = id.empty() ? "of pid " + std::to_string(getpid()) : "\"" + id + "\"";
        log::error("logind: cannot find session %s: %s", which.c_str(),
                   r < 0 ? error.text() : "bad reply");
        return false;
    }
    session_path_ = path;
    return true;
}

bool Logind::add_matches()
{
    // sender= makes dbus-daemon route only logind's broadcasts to us, but sd-bus lets any
    // unique-name sender pass a well-known sender= match locally, and anyone may send us a
    // unicast signal; so the handlers check the sender against owner_ as well.
    struct Match {
        Slot &slot;
        const char *path, *interface, *member;
        sd_bus_message_handler_t handler;
    };
    Match matches[] = {
        {lock_match_, session_path_.c_str(), session_interface, "Lock",
         Handlers::on_session_signal},
        {unlock_match_, session_path_.c_str(), session_interface, "Unlock",
         Handlers::on_session_signal},
        {sleep_match_, manager_path, manager_interface, "PrepareForSleep",
         Handlers::on_prepare_for_sleep},
    };
    for (Match &match : matches) {
        sd_bus_slot *slot = nullptr;
        int r = sd_bus_match_signal(bus_->get(), &slot, logind_name, match.path, match.interface,
                                    match.member, match.handler, this);
        match.slot.reset(slot);
        if (r < 0) {
            log::error("logind: cannot subscribe to %s: %s", match.member, strerror(-r));
            return false;
        }
    }
    return true;
}

bool Logind::from_logind(sd_bus_message *message, const char *what)
{
    const char *sender = sd_bus_message_get_sender(message);
    if (sender && !owner_.empty() && owner_ == sender)
        return true;
    note_forgery(sender, what);
    return false;
}

void Logind::note_forgery(const char *sender, const char *what)
{
    // Only unicast forgeries get this far; a few lines are enough to see the attempt.
    if (rejected_ >= 8)
        return;
    ++rejected_;
    std::string who = sender ? sender : "(no sender)";
    log::security_event(log::Level::warning, message_forged_signal,
                        "logind: ignored a forged " + std::string(what) + " signal from " + who +
                            " (logind is " + (owner_.empty() ? "absent" : owner_) + ")",
                        {"DBUS_SENDER=" + who});
}

int Logind::Handlers::on_session_signal(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<Logind *>(data);
    const char *path = sd_bus_message_get_path(message);
    if (!path || self->session_path_ != path)
        return 0;
    bool lock = sd_bus_message_is_signal(message, session_interface, "Lock") > 0;
    bool unlock = sd_bus_message_is_signal(message, session_interface, "Unlock") > 0;
    if ((!lock && !unlock) || !self->from_logind(message, lock ? "Lock" : "Unlock"))
        return 0;
    log::info("logind: %s", lock ? "Lock" : "Unlock");
    auto &callback = lock ? self->callbacks_.lock : self->callbacks_.unlock;
    if (callback)
        callback();
    return 0;
}

int Logind::Handlers::on_prepare_for_sleep(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<Logind *>(data);
    const char *path = sd_bus_message_get_path(message);
    if (!path || std::strcmp(path, manager_path) != 0 ||
        !self->from_logind(message, "PrepareForSleep"))
        return 0;
    int going_to_sleep = 0;
    if (sd_bus_message_read(message, "b", &going_to_sleep) < 0) {
        log::warning("logind: malformed PrepareForSleep");
        return 0;
    }
    log::info("logind: PrepareForSleep(%s)", going_to_sleep ? "true" : "false");
    if (self->callbacks_.prepare_for_sleep)
        self->callbacks_.prepare_for_sleep(going_to_sleep != 0);
    return 0;
}

int Logind::Handlers::on_owner_changed(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<Logind *>(data);
    // The daemon stamps every client's message with its unique name, so this exact sender
    // can only be the bus driver itself; a unicast forgery stops here.
    const char *sender = sd_bus_message_get_sender(message);
    if (!sender || std::strcmp(sender, driver_name) != 0) {
        self->note_forgery(sender, "NameOwnerChanged");
        return 0;
    }
    const char *name = nullptr, *old_owner = nullptr, *new_owner = nullptr;
    if (sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner) < 0 ||
        std::strcmp(name, logind_name) != 0)
        return 0;
    self->owner_ = new_owner;
    if (self->owner_.empty())
        log::warning("logind left the bus; its signals are ignored until it returns");
    else
        log::info("logind is now %s", new_owner);
    return 0;
}

void Logind::set_locked_hint(bool locked)
{
    if (!connected()) {
        log::warning("logind: not connected; locked hint %d not sent", locked);
        return;
    }
    // A floating slot: the bus owns it, and the reply handler needs no `this`.
    int r = sd_bus_call_method_async(
        bus_->get(), nullptr, logind_name, session_path_.c_str(), session_interface,
        "SetLockedHint", Handlers::on_locked_hint_reply, nullptr, "b", static_cast<int>(locked));
    if (r < 0)
        log::error("logind: cannot send SetLockedHint: %s", strerror(-r));
    bus_->rearm();
}

int Logind::Handlers::on_locked_hint_reply(sd_bus_message *reply, void *, sd_bus_error *)
{
    if (sd_bus_message_is_method_error(reply, nullptr))
        log::warning("logind: SetLockedHint failed: %s", reply_error_text(reply));
    return 0;
}

bool Logind::take_sleep_delay()
{
    if (holds_sleep_delay() || sleep_delay_pending())
        return true;
    if (!connected()) {
        log::warning("logind: not connected; no sleep delay inhibitor");
        return false;
    }
    sd_bus_slot *slot = nullptr;
    int r =
        sd_bus_call_method_async(bus_->get(), &slot, logind_name, manager_path, manager_interface,
                                 "Inhibit", Handlers::on_inhibit_reply, this, "ssss", "sleep",
                                 "Rampart", "Lock the screen before sleep", "delay");
    inhibit_call_.reset(slot);
    bus_->rearm();
    if (r < 0) {
        log::error("logind: cannot send Inhibit: %s", strerror(-r));
        return false;
    }
    return true;
}

int Logind::Handlers::on_inhibit_reply(sd_bus_message *reply, void *data, sd_bus_error *)
{
    auto *self = static_cast<Logind *>(data);
    // sd-bus holds its own reference on the current slot, so dropping ours here is safe.
    Slot done = std::move(self->inhibit_call_);
    if (sd_bus_message_is_method_error(reply, nullptr)) {
        log::warning("logind: no sleep delay inhibitor: %s", reply_error_text(reply));
        return 0;
    }
    int fd = -1;
    if (sd_bus_message_read(reply, "h", &fd) < 0 || fd < 0) {
        log::warning("logind: malformed Inhibit reply");
        return 0;
    }
    // The message owns `fd` and closes it when freed; keep a copy of our own.
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) {
        log::error("logind: cannot keep the inhibitor fd: %s", strerror(errno));
        return 0;
    }
    self->sleep_fd_.reset(copy);
    log::info("logind: holding a sleep delay inhibitor");
    return 0;
}

void Logind::release_sleep_delay()
{
    if (!holds_sleep_delay() && !sleep_delay_pending())
        return;
    inhibit_call_.reset();
    sleep_fd_.reset();
    log::info("logind: released the sleep delay inhibitor");
}

} // namespace rampart::session
