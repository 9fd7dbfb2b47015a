#include "support/fake_logind.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>

namespace rampart::test {
namespace {

constexpr const char *logind_name = "org.freedesktop.login1";
constexpr const char *manager_path = "/org/freedesktop/login1";
constexpr const char *manager_interface = "org.freedesktop.login1.Manager";
constexpr const char *session_interface = "org.freedesktop.login1.Session";

std::string errno_text(int r)
{
    return std::strerror(r < 0 ? -r : r);
}

// Makes sure the daemon has routed everything this connection sent before.
void round_trip(sd_bus *bus)
{
    sd_bus_message *reply = nullptr;
    sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                       "GetId", nullptr, &reply, "");
    sd_bus_message_unref(reply);
}

} // namespace

void BusDeleter::operator()(sd_bus *bus) const
{
    sd_bus_flush_close_unref(bus);
}
void BusSlotDeleter::operator()(sd_bus_slot *slot) const
{
    sd_bus_slot_unref(slot);
}

BusPtr open_bus(const std::string &address)
{
    sd_bus *raw = nullptr;
    int r = sd_bus_new(&raw);
    BusPtr bus(raw);
    if (r >= 0)
        r = sd_bus_set_address(raw, address.c_str());
    if (r >= 0)
        r = sd_bus_set_bus_client(raw, 1);
    if (r >= 0)
        r = sd_bus_start(raw);
    const char *unique = nullptr;
    if (r >= 0)
        r = sd_bus_get_unique_name(raw, &unique); // waits for Hello
    if (r < 0)
        throw std::runtime_error("cannot connect to " + address + ": " + errno_text(r));
    return bus;
}

PrivateBus::PrivateBus()
{
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/rampart-bus-XXXXXX";
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    {
        std::ofstream config(dir_ + "/bus.conf");
        config << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration "
                  "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                  "<busconfig><type>session</type>\n"
                  "<listen>unix:path="
               << dir_
               << "/socket</listen><auth>EXTERNAL</auth>\n"
                  "<policy context=\"default\"><allow send_destination=\"*\"/>"
                  "<allow receive_sender=\"*\"/>"
                  "<allow own=\"*\"/></policy></busconfig>\n";
    }
    daemon_ = std::make_unique<ClientProcess>(
        std::vector<std::string>{"dbus-daemon", "--config-file=" + dir_ + "/bus.conf", "--nofork",
                                 "--print-address"},
        "");
    // It prints the address once it listens.
    if (!wait_for(
            {daemon_.get()}, [&] { return !daemon_->lines().empty(); }, std::chrono::seconds(10)))
        throw std::runtime_error("dbus-daemon did not start");
    address_ = daemon_->lines().front();
}

PrivateBus::~PrivateBus()
{
    daemon_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void PrivateBus::kill()
{
    daemon_->kill_now();
}

namespace {

const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("GetSession", "s", "o", nullptr, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetSessionByPID", "u", "o", nullptr, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Inhibit", "ssss", "h", nullptr, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("PrepareForSleep", "b", 0),
    SD_BUS_VTABLE_END,
};

const sd_bus_vtable session_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("SetLockedHint", "b", "", nullptr, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("LockedHint", "b", nullptr, 0, 0),
    SD_BUS_SIGNAL("Lock", "", 0),
    SD_BUS_SIGNAL("Unlock", "", 0),
    SD_BUS_VTABLE_END,
};

// The handlers are filled in here: the vtable macros want constants, the handlers are
// private members.
template <size_t N>
std::vector<sd_bus_vtable> with_handlers(const sd_bus_vtable (&table)[N],
                                         std::vector<sd_bus_message_handler_t> handlers,
                                         std::vector<sd_bus_property_get_t> getters = {})
{
    std::vector<sd_bus_vtable> out(table, table + N);
    size_t next = 0, next_getter = 0;
    for (auto &entry : out) {
        if (entry.type == _SD_BUS_VTABLE_METHOD)
            entry.x.method.handler = handlers.at(next++);
        else if (entry.type == _SD_BUS_VTABLE_PROPERTY)
            entry.x.property.get = getters.at(next_getter++);
    }
    return out;
}

} // namespace

FakeLogind::FakeLogind(const std::string &address) : bus_(open_bus(address))
{
    const char *unique = nullptr;
    sd_bus_get_unique_name(bus_.get(), &unique);
    unique_name_ = unique;

    static const auto manager =
        with_handlers(manager_vtable, {on_get_session, on_get_session_by_pid, on_inhibit});
    static const auto session =
        with_handlers(session_vtable, {on_set_locked_hint}, {on_get_locked_hint});
    sd_bus_slot *slot = nullptr;
    int r = sd_bus_add_object_vtable(bus_.get(), &slot, manager_path, manager_interface,
                                     manager.data(), this);
    objects_.emplace_back(slot);
    for (auto [id, path] : {std::pair{own_session, own_path}, {other_session, other_path}}) {
        sessions_.push_back(std::make_unique<Session>(Session{this, id, path}));
        if (r >= 0)
            r = sd_bus_add_object_vtable(bus_.get(), &slot, path, session_interface, session.data(),
                                         sessions_.back().get());
        objects_.emplace_back(slot);
    }
    if (r >= 0)
        r = sd_bus_request_name(bus_.get(), logind_name, 0);
    if (r < 0)
        throw std::runtime_error("fake logind cannot start: " + errno_text(r));
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    thread_ = std::thread([this] { run(); });
}

FakeLogind::~FakeLogind()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    thread_.join();
    for (int fd : inhibitor_fds_)
        close(fd);
    close(wake_fd_);
}

FakeLogind::State FakeLogind::state() const
{
    std::lock_guard lock(mutex_);
    return state_;
}

void FakeLogind::call(std::function<void(sd_bus *)> command)
{
    std::promise<void> done;
    {
        std::lock_guard lock(mutex_);
        commands_.push_back([&](sd_bus *bus) {
            command(bus);
            done.set_value();
        });
    }
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    done.get_future().wait();
}

void FakeLogind::emit_lock(const std::string &path)
{
    call([&](sd_bus *bus) {
        sd_bus_emit_signal(bus, path.c_str(), session_interface, "Lock", "");
        round_trip(bus);
    });
}

void FakeLogind::emit_unlock(const std::string &path)
{
    call([&](sd_bus *bus) {
        sd_bus_emit_signal(bus, path.c_str(), session_interface, "Unlock", "");
        round_trip(bus);
    });
}

void FakeLogind::emit_prepare_for_sleep(bool going_to_sleep)
{
    call([&](sd_bus *bus) {
        sd_bus_emit_signal(bus, manager_path, manager_interface, "PrepareForSleep", "b",
                           static_cast<int>(going_to_sleep));
        round_trip(bus);
    });
}

void FakeLogind::release_name()
{
    call([](sd_bus *bus) { sd_bus_release_name(bus, logind_name); });
}

void FakeLogind::run()
{
    bool bus_alive = true;
    for (;;) {
        std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
        std::vector<int> inhibitors;
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            inhibitors = inhibitor_fds_;
        }
        int timeout_ms = -1;
        if (bus_alive) {
            fds.push_back({sd_bus_get_fd(bus_.get()),
                           static_cast<short>(std::max(0, sd_bus_get_events(bus_.get()))), 0});
            uint64_t until = 0;
            if (sd_bus_get_timeout(bus_.get(), &until) > 0 && until != UINT64_MAX) {
                timespec now{};
                clock_gettime(CLOCK_MONOTONIC, &now);
                uint64_t now_us = static_cast<uint64_t>(now.tv_sec) * 1000000 +
                                  static_cast<uint64_t>(now.tv_nsec) / 1000;
                timeout_ms = until > now_us ? static_cast<int>((until - now_us) / 1000 + 1) : 0;
            }
        }
        size_t first_inhibitor = fds.size();
        for (int fd : inhibitors)
            fds.push_back({fd, 0, 0}); // POLLHUP comes unasked
        poll(fds.data(), fds.size(), timeout_ms);

        int r = 0;
        while (bus_alive && (r = sd_bus_process(bus_.get(), nullptr)) > 0) {
        }
        if (r < 0)
            bus_alive = false;

        uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof count);
        std::vector<std::function<void(sd_bus *)>> commands;
        {
            std::lock_guard lock(mutex_);
            commands.swap(commands_);
        }
        for (auto &command : commands)
            command(bus_.get());

        for (size_t i = first_inhibitor; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLHUP | POLLERR)))
                continue;
            close(fds[i].fd);
            std::lock_guard lock(mutex_);
            std::erase(inhibitor_fds_, fds[i].fd);
            ++state_.inhibitors_released;
        }
    }
}

void FakeLogind::note_caller(sd_bus_message *message)
{
    const char *sender = sd_bus_message_get_sender(message);
    std::lock_guard lock(mutex_);
    state_.last_caller = sender ? sender : "";
}

int FakeLogind::on_get_session(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<FakeLogind *>(data);
    self->note_caller(message);
    const char *id = nullptr;
    if (sd_bus_message_read(message, "s", &id) < 0)
        return -EINVAL;
    for (auto &session : self->sessions_)
        if (session->id == id)
            return sd_bus_reply_method_return(message, "o", session->path.c_str());
    return sd_bus_reply_method_errorf(message, "org.freedesktop.login1.NoSuchSession",
                                      "No session '%s' known", id);
}

int FakeLogind::on_get_session_by_pid(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<FakeLogind *>(data);
    self->note_caller(message);
    uint32_t pid = 0;
    if (sd_bus_message_read(message, "u", &pid) < 0)
        return -EINVAL;
    if (pid == static_cast<uint32_t>(getpid()))
        return sd_bus_reply_method_return(message, "o", own_path);
    return sd_bus_reply_method_errorf(message, "org.freedesktop.login1.NoSessionForPID",
                                      "PID %u does not belong to any known session", pid);
}

int FakeLogind::on_inhibit(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *self = static_cast<FakeLogind *>(data);
    self->note_caller(message);
    const char *what = nullptr, *who = nullptr, *why = nullptr, *mode = nullptr;
    if (sd_bus_message_read(message, "ssss", &what, &who, &why, &mode) < 0)
        return -EINVAL;
    {
        std::lock_guard lock(self->mutex_);
        self->state_.inhibits.push_back(std::string(what) + "|" + who + "|" + why + "|" + mode);
    }
    if (self->inhibit_denied_)
        return sd_bus_reply_method_errorf(message, "org.freedesktop.DBus.Error.AccessDenied",
                                          "Permission denied");
    // Like logind: the client gets the write end, we watch the read end for its close.
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) < 0)
        return -errno;
    {
        // Recorded before the reply goes out: the test may look as soon as it arrives.
        std::lock_guard lock(self->mutex_);
        self->inhibitor_fds_.push_back(ends[0]);
        ++self->state_.inhibitors_taken;
    }
    int r = sd_bus_reply_method_return(message, "h", ends[1]); // sd-bus sends a copy
    close(ends[1]);
    return r;
}

int FakeLogind::on_set_locked_hint(sd_bus_message *message, void *data, sd_bus_error *)
{
    auto *session = static_cast<Session *>(data);
    session->fake->note_caller(message);
    int locked = 0;
    if (sd_bus_message_read(message, "b", &locked) < 0)
        return -EINVAL;
    {
        std::lock_guard lock(session->fake->mutex_);
        session->fake->state_.locked_hints.emplace_back(session->id, locked != 0);
        if (session->id == own_session)
            session->fake->locked_hint_ = locked != 0;
    }
    return sd_bus_reply_method_return(message, "");
}

int FakeLogind::on_get_locked_hint(sd_bus *, const char *, const char *, const char *,
                                   sd_bus_message *reply, void *data, sd_bus_error *)
{
    auto *session = static_cast<Session *>(data);
    int value = 0;
    {
        std::lock_guard lock(session->fake->mutex_);
        value = session->id == own_session && session->fake->locked_hint_;
    }
    return sd_bus_message_append(reply, "b", value);
}

void FakeLogind::set_locked_hint(bool locked)
{
    std::lock_guard lock(mutex_);
    locked_hint_ = locked;
}

} // namespace rampart::test
