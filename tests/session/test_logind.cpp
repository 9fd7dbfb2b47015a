// The logind client against a fake logind on a private dbus-daemon, driven by a real
// wl_event_loop as in the compositor.
#include "support/fake_logind.hpp"
#include "session/logind.hpp"
#include "util/log.hpp"

#include <catch2/catch.hpp>
#include <systemd/sd-bus.h>
#include <wayland-server-core.h>

#include <chrono>
#include <cstdlib>

using rampart::session::Logind;
using rampart::session::LogindCallbacks;
using rampart::session::LogindOptions;
using rampart::test::FakeLogind;
using rampart::test::PrivateBus;
using namespace std::chrono_literals;

namespace {

struct EventLoop {
    wl_event_loop *loop = wl_event_loop_create();
    EventLoop() { rampart::log::init(rampart::log::Level::info, rampart::log::Sink::stderr_only); }
    ~EventLoop() { wl_event_loop_destroy(loop); }
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    // Dispatches until `condition` holds; the fake's state changes on its own thread, so the
    // loop wakes at least every 10 ms to look.
    bool run_until(const std::function<bool()> &condition, std::chrono::milliseconds timeout = 5s)
    {
        auto deadline = std::chrono::steady_clock::now() + rampart::test::scaled(timeout);
        while (!condition()) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            wl_event_loop_dispatch(loop, 10);
        }
        return true;
    }
};

struct Seen {
    int lock = 0, unlock = 0;
    std::vector<bool> sleep;
};

LogindCallbacks record(Seen &seen)
{
    return {[&seen] { ++seen.lock; }, [&seen] { ++seen.unlock; },
            [&seen](bool going) { seen.sleep.push_back(going); }};
}

// Members go down in reverse: the client first, the loop last.
struct Fixture {
    EventLoop loop;
    PrivateBus bus;
    FakeLogind fake{bus.address()};
    Seen seen;
    std::unique_ptr<Logind> logind;

    Fixture()
    {
        logind = Logind::connect(loop.loop, {bus.address(), FakeLogind::own_session}, record(seen));
        REQUIRE(logind);
    }
    // logind emits a PrepareForSleep(false) that our client must see; everything sent to it
    // before has then been handled.
    void sync_with(FakeLogind &logind_service)
    {
        size_t before = seen.sleep.size();
        logind_service.emit_prepare_for_sleep(false);
        REQUIRE(loop.run_until([&] { return seen.sleep.size() > before; }));
    }
};

// A client that is not logind sends `member` on `path`: broadcast, or unicast to `to`.
void forge(sd_bus *bus, const char *path, const char *interface, const char *member,
           const std::string &to, const char *types = "", int arg = 0)
{
    sd_bus_message *raw = nullptr;
    REQUIRE(sd_bus_message_new_signal(bus, &raw, path, interface, member) >= 0);
    if (*types)
        REQUIRE(sd_bus_message_append(raw, types, arg) >= 0);
    if (!to.empty())
        REQUIRE(sd_bus_message_set_destination(raw, to.c_str()) >= 0);
    REQUIRE(sd_bus_send(bus, raw, nullptr) >= 0);
    sd_bus_message_unref(raw);
}

void round_trip(sd_bus *bus)
{
    sd_bus_message *reply = nullptr;
    REQUIRE(sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetId", nullptr, &reply, "") >= 0);
    sd_bus_message_unref(reply);
}

} // namespace

TEST_CASE("Lock and Unlock from logind for our session reach the callbacks", "[logind]")
{
    Fixture f;
    CHECK(f.logind->session_path() == FakeLogind::own_path);
    CHECK(f.logind->connected());
    CHECK(f.fake.state().last_caller == f.logind->unique_name());

    f.fake.emit_lock(FakeLogind::own_path);
    REQUIRE(f.loop.run_until([&] { return f.seen.lock == 1; }));
    f.fake.emit_unlock(FakeLogind::own_path);
    REQUIRE(f.loop.run_until([&] { return f.seen.unlock == 1; }));
    CHECK(f.seen.lock == 1);
}

TEST_CASE("PrepareForSleep reaches the callback with its argument", "[logind]")
{
    Fixture f;
    f.fake.emit_prepare_for_sleep(true);
    f.fake.emit_prepare_for_sleep(false);
    REQUIRE(f.loop.run_until([&] { return f.seen.sleep.size() == 2; }));
    CHECK(f.seen.sleep == std::vector<bool>{true, false});
}

TEST_CASE("Lock for another session is ignored", "[logind]")
{
    Fixture f;
    f.fake.emit_lock(FakeLogind::other_path);
    f.fake.emit_unlock(FakeLogind::other_path);
    f.sync_with(f.fake);
    CHECK(f.seen.lock == 0);
    CHECK(f.seen.unlock == 0);
}

TEST_CASE("signals from a client that is not logind are ignored", "[logind][hostile]")
{
    Fixture f;
    auto hostile = rampart::test::open_bus(f.bus.address());
    const std::string us = f.logind->unique_name();
    const char *session = "org.freedesktop.login1.Session";
    const char *manager = "org.freedesktop.login1.Manager";
    for (const std::string &to : {std::string(), us}) { // broadcast, then unicast to us
        forge(hostile.get(), FakeLogind::own_path, session, "Lock", to);
        forge(hostile.get(), FakeLogind::own_path, session, "Unlock", to);
        forge(hostile.get(), "/org/freedesktop/login1", manager, "PrepareForSleep", to, "b", 1);
    }
    // A forged NameOwnerChanged naming the hostile client as logind, then its Unlock.
    sd_bus_message *raw = nullptr;
    const char *hostile_name = nullptr;
    sd_bus_get_unique_name(hostile.get(), &hostile_name);
    REQUIRE(sd_bus_message_new_signal(hostile.get(), &raw, "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "NameOwnerChanged") >= 0);
    REQUIRE(sd_bus_message_append(raw, "sss", "org.freedesktop.login1",
                                  f.fake.unique_name().c_str(), hostile_name) >= 0);
    REQUIRE(sd_bus_message_set_destination(raw, us.c_str()) >= 0);
    REQUIRE(sd_bus_send(hostile.get(), raw, nullptr) >= 0);
    sd_bus_message_unref(raw);
    forge(hostile.get(), FakeLogind::own_path, session, "Unlock", us);
    round_trip(hostile.get()); // all of the above is on its way to us before the sync below

    f.sync_with(f.fake);
    CHECK(f.seen.lock == 0);
    CHECK(f.seen.unlock == 0);
    CHECK(f.seen.sleep == std::vector<bool>{false}); // only the real one

    // The real logind still counts.
    f.fake.emit_unlock(FakeLogind::own_path);
    REQUIRE(f.loop.run_until([&] { return f.seen.unlock == 1; }));
}

TEST_CASE("after logind restarts, only its new instance counts", "[logind]")
{
    Fixture f;
    f.fake.release_name();
    FakeLogind restarted(f.bus.address());
    f.fake.emit_lock(FakeLogind::own_path); // the old instance, no longer the owner
    f.sync_with(restarted);
    CHECK(f.seen.lock == 0);
    restarted.emit_lock(FakeLogind::own_path);
    REQUIRE(f.loop.run_until([&] { return f.seen.lock == 1; }));
}

TEST_CASE("SetLockedHint reaches logind", "[logind]")
{
    Fixture f;
    f.logind->set_locked_hint(true);
    f.logind->set_locked_hint(false);
    REQUIRE(f.loop.run_until([&] { return f.fake.state().locked_hints.size() == 2; }));
    using Hint = std::pair<std::string, bool>;
    CHECK(f.fake.state().locked_hints == std::vector<Hint>{{"c1", true}, {"c1", false}});
}

TEST_CASE("the sleep delay inhibitor is taken and released", "[logind]")
{
    Fixture f;
    CHECK_FALSE(f.logind->holds_sleep_delay());
    REQUIRE(f.logind->take_sleep_delay());
    CHECK(f.logind->sleep_delay_pending());
    REQUIRE(f.loop.run_until([&] { return f.logind->holds_sleep_delay(); }));
    CHECK_FALSE(f.logind->sleep_delay_pending());
    auto state = f.fake.state();
    CHECK(state.inhibitors_taken == 1);
    CHECK(state.inhibits ==
          std::vector<std::string>{"sleep|Rampart|Lock the screen before sleep|delay"});

    // Taking it again while held asks for nothing.
    REQUIRE(f.logind->take_sleep_delay());
    f.logind->set_locked_hint(true); // a later call: once it arrives, any Inhibit would have
    REQUIRE(f.loop.run_until([&] { return f.fake.state().locked_hints.size() == 1; }));
    CHECK(f.fake.state().inhibitors_taken == 1);
    CHECK(f.fake.state().inhibitors_released == 0);

    f.logind->release_sleep_delay();
    CHECK_FALSE(f.logind->holds_sleep_delay());
    REQUIRE(f.loop.run_until([&] { return f.fake.state().inhibitors_released == 1; }));
    f.logind->release_sleep_delay(); // no-op

    // And again, for the next sleep.
    REQUIRE(f.logind->take_sleep_delay());
    REQUIRE(f.loop.run_until([&] { return f.logind->holds_sleep_delay(); }));
    CHECK(f.fake.state().inhibitors_taken == 2);
}

TEST_CASE("releasing a sleep delay still pending drops the fd logind sends", "[logind]")
{
    Fixture f;
    REQUIRE(f.logind->take_sleep_delay());
    f.logind->release_sleep_delay();
    CHECK_FALSE(f.logind->sleep_delay_pending());
    REQUIRE(f.loop.run_until([&] {
        auto state = f.fake.state();
        return state.inhibitors_taken == 1 && state.inhibitors_released == 1;
    }));
    CHECK_FALSE(f.logind->holds_sleep_delay());
}

TEST_CASE("a refused Inhibit leaves no delay and no pending call", "[logind]")
{
    Fixture f;
    f.fake.set_inhibit_denied(true);
    REQUIRE(f.logind->take_sleep_delay());
    REQUIRE(f.loop.run_until([&] { return !f.logind->sleep_delay_pending(); }));
    CHECK_FALSE(f.logind->holds_sleep_delay());
    f.fake.set_inhibit_denied(false);
    REQUIRE(f.logind->take_sleep_delay()); // may be retried
    REQUIRE(f.loop.run_until([&] { return f.logind->holds_sleep_delay(); }));
}

TEST_CASE("destroying the client releases its inhibitor", "[logind]")
{
    Fixture f;
    REQUIRE(f.logind->take_sleep_delay());
    REQUIRE(f.loop.run_until([&] { return f.logind->holds_sleep_delay(); }));
    f.logind.reset();
    REQUIRE(f.loop.run_until([&] { return f.fake.state().inhibitors_released == 1; }));
}

TEST_CASE("the session comes from the option, $XDG_SESSION_ID, or our pid", "[logind]")
{
    EventLoop loop;
    PrivateBus bus;
    FakeLogind fake(bus.address());
    Seen seen;
    const char *saved = std::getenv("XDG_SESSION_ID");
    std::string saved_value = saved ? saved : "";

    setenv("XDG_SESSION_ID", FakeLogind::other_session, 1);
    auto logind = Logind::connect(loop.loop, {bus.address(), ""}, record(seen));
    REQUIRE(logind);
    CHECK(logind->session_path() == FakeLogind::other_path);

    unsetenv("XDG_SESSION_ID");
    logind = Logind::connect(loop.loop, {bus.address(), ""}, record(seen));
    REQUIRE(logind);
    CHECK(logind->session_path() == FakeLogind::own_path);

    CHECK_FALSE(Logind::connect(loop.loop, {bus.address(), "no-such-session"}, record(seen)));
    if (saved)
        setenv("XDG_SESSION_ID", saved_value.c_str(), 1);
}

TEST_CASE("no bus, a bad address, or no event loop give nullptr", "[logind]")
{
    EventLoop loop;
    Seen seen;
    CHECK_FALSE(
        Logind::connect(loop.loop, {"unix:path=/nonexistent/rampart-bus", "c1"}, record(seen)));
    CHECK_FALSE(Logind::connect(loop.loop, {"not a bus address", "c1"}, record(seen)));
    CHECK_FALSE(
        Logind::connect(nullptr, {"unix:path=/nonexistent/rampart-bus", "c1"}, record(seen)));
}

TEST_CASE("a bus without logind gives nullptr", "[logind]")
{
    EventLoop loop;
    PrivateBus bus;
    Seen seen;
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(Logind::connect(loop.loop, {bus.address(), "c1"}, record(seen)));
    CHECK(std::chrono::steady_clock::now() - started < rampart::test::scaled(2s));
}

TEST_CASE("losing the bus is noticed, and later calls are harmless", "[logind]")
{
    Fixture f;
    REQUIRE(f.logind->take_sleep_delay());
    REQUIRE(f.loop.run_until([&] { return f.logind->holds_sleep_delay(); }));
    f.bus.kill();
    REQUIRE(f.loop.run_until([&] { return !f.logind->connected(); }));
    f.logind->set_locked_hint(true);
    CHECK(f.logind->holds_sleep_delay()); // the fd stays ours until released
    f.logind->release_sleep_delay();
    CHECK_FALSE(f.logind->take_sleep_delay());
}
