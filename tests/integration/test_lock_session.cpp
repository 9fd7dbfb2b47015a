// Issue 5: the lock and systemd-logind, against a real dbus-daemon with a fake
// org.freedesktop.login1 the test drives: Lock, Unlock (policy), LockedHint, and the
// before-sleep delay inhibitor released only once the lock is on every output.
#include "lock_fixtures.hpp"
#include "support/fake_logind.hpp"
#include "support/memory_scan.hpp"
#include "support/pam_fixture.hpp"

#include <catch2/catch.hpp>

using namespace rampart;
using namespace rampart::test;

namespace {
// Index of the first server event named `name` at or after `from`; events.size() if none.
size_t find_event(const std::vector<Event> &events, const std::string &name, size_t from = 0)
{
    for (size_t i = from; i < events.size(); ++i)
        if (events[i].at("event") == name)
            return i;
    return events.size();
}
} // namespace

TEST_CASE("logind's Lock locks and LockedHint follows; its Unlock obeys the policy",
          "[lock][logind]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    PrivateBus bus;
    FakeLogind logind(bus.address());
    bool allow = GENERATE(false, true);
    Harness h({.config_text = allow ? "[lock]\nallow_logind_unlock = true\n" : "",
               .logind_bus = bus.address()});
    REQUIRE(h.server().lock_screen->logind());

    logind.emit_lock(FakeLogind::own_path);
    REQUIRE(h.wait_until([&] { return h.server().lock_screen->shown(); }));
    CHECK(h.server_event_count("lock", {{"reason", "logind"}}) == 1);
    REQUIRE(h.wait_until([&] {
        auto hints = logind.state().locked_hints;
        return !hints.empty() && hints.back().second;
    }));
    // Another session's Lock is not ours.
    logind.emit_unlock(FakeLogind::other_path);
    logind.emit_unlock(FakeLogind::own_path);
    if (allow) {
        REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
        CHECK(h.server_event_count("unlocked", {{"by", "logind"}}) == 1);
    } else {
        REQUIRE(h.wait_until([&] { return h.server_event_count("logind_unlock_refused") == 1; }));
        CHECK(h.server().locked());
        REQUIRE(wait_lock_ready(h));
        answer(h, password.text());
        REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    }
    REQUIRE(h.wait_until([&] {
        auto hints = logind.state().locked_hints;
        return !hints.empty() && !hints.back().second;
    }));
}

TEST_CASE("before sleep: the delay inhibitor goes only after every output shows the lock",
          "[lock][logind][sleep]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    PrivateBus bus;
    FakeLogind logind(bus.address());
    Harness h({.outputs = 2, .logind_bus = bus.address()});
    ClientProcess &client = h.start_client({"--size", "300x200", "--color", "3366cc"});
    REQUIRE(h.wait_for_view(client));
    // Unlocked: a delay inhibitor for sleep is held.
    REQUIRE(h.wait_until([&] { return logind.state().inhibitors_taken == 1; }));
    CHECK(logind.state().inhibits.at(0) == "sleep|Rampart|Lock the screen before sleep|delay");
    CHECK(logind.state().inhibitors_released == 0);

    logind.emit_prepare_for_sleep(true);
    REQUIRE(h.wait_until([&] { return logind.state().inhibitors_released == 1; }));
    CHECK(h.server().locked());
    CHECK(h.server_event_count("lock", {{"reason", "sleep"}}) == 1);
    // In the event log: lock, then a committed frame on each output, then locked_shown,
    // and only then the inhibitor released.
    const auto &events = h.server_events();
    size_t lock_at = find_event(events, "lock");
    size_t shown_at = find_event(events, "locked_shown", lock_at);
    size_t released_at = find_event(events, "sleep_inhibitor_released", lock_at);
    REQUIRE(lock_at < shown_at);
    REQUIRE(shown_at < released_at);
    REQUIRE(released_at < events.size());
    for (size_t i = 0; i < 2; ++i) {
        std::string name = h.output(i).name();
        bool committed = false;
        for (size_t e = lock_at; e < shown_at; ++e)
            committed |= events[e].at("event") == "output_commit" && events[e].at("output") == name;
        INFO(name);
        CHECK(committed);
        CHECK_FALSE(image_has(h.capture(i), client_colour, 24));
    }

    // Resumed, unlocked: the inhibitor is taken again for the next sleep.
    logind.emit_prepare_for_sleep(false);
    REQUIRE(wait_lock_ready(h));
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    REQUIRE(h.wait_until([&] { return logind.state().inhibitors_taken == 2; }));
}

TEST_CASE("rampartctl lock over the control socket", "[lock][control]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h;
    const char *socket = getenv("RAMPART_CONTROL_SOCKET");
    REQUIRE(socket);
    ClientProcess &ctl = h.start_program({getenv("RAMPARTCTL"), "--socket", socket, "lock"});
    REQUIRE(h.wait_until([&] { return ctl.exited(); }));
    CHECK(ctl.exit_code() == 0);
    CHECK(h.server().locked());
    CHECK(h.server_event_count("lock", {{"reason", "rampartctl"}}) == 1);
    ClientProcess &status = h.start_program({getenv("RAMPARTCTL"), "--socket", socket, "status"});
    REQUIRE(h.wait_until([&] { return status.exited(); }));
    CHECK(status.exit_code() == 0);
}

TEST_CASE("logind remembers the session was locked: a restart comes back locked",
          "[lock][logind][restart]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    PrivateBus bus;
    FakeLogind logind(bus.address());
    // As if the last run had locked, then died before (or without) writing its state file.
    logind.set_locked_hint(true);
    Harness h({.logind_bus = bus.address()});
    CHECK(h.server().locked());
    CHECK(h.server_event_count("lock", {{"reason", "restart"}}) == 1);
    REQUIRE(wait_lock_ready(h));
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}
