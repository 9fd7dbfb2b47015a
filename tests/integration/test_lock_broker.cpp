// Issue 5: the lock fails closed. A broker that dies, hangs or cannot start leaves the screen
// locked with a message, and the next attempt works once it is back; Rampart restarted while
// locked comes back locked; backoff grows and survives a restart.
#include "lock_fixtures.hpp"
#include "lock_store.hpp"
#include "support/memory_scan.hpp"
#include "support/pam_fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace rampart;
using namespace rampart::test;

namespace {
int64_t boot_ms()
{
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    return int64_t(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// The wait the controller set, in ms from now (read right after the failure).
int64_t wait_ms(Harness &h)
{
    return h.server().lock_screen->controller().persistent().backoff_until_ms - boot_ms();
}

bool message_says_unavailable(Harness &h)
{
    return h.server().lock_screen->controller().message().find("Authentication is not available") ==
           0;
}
} // namespace

TEST_CASE("the broker killed mid-check leaves the screen locked; it comes back", "[lock][broker]")
{
    SecretPage password(14);
    PamFixture pam(password.view(), "auth required @MATRIX@\nauth required @TEST@ sleep_ms=8000\n"
                                    "account required @MATRIX@\n");
    Harness h;
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    pid_t first = h.server().lock_screen->broker_pid();
    answer(h, password.text());
    REQUIRE(h.server().lock_screen->controller().phase() == lockscreen::Phase::checking);
    REQUIRE(kill(first, SIGKILL) == 0);
    REQUIRE(h.wait_until([&] { return h.server_event_count("broker_lost") == 1; }));
    CHECK(h.server().locked());
    CHECK(message_says_unavailable(h));
    Image image = h.capture(0);
    image.write_png(Harness::artefact_path("lock-broker-lost.png"));
    CHECK(image_has(image, lock_error_text, 12));

    pam.set_stack(PamFixture::matrix_stack); // the slow module is gone for the next broker
    REQUIRE(wait_lock_ready(h, 2));
    CHECK(h.server().lock_screen->broker_pid() != first);
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("a PAM module that never returns: locked with a message after the timeout",
          "[lock][broker]")
{
    SecretPage password(14);
    PamFixture pam(password.view(), "auth required @MATRIX@\nauth required @TEST@ hang\n"
                                    "account required @MATRIX@\n");
    Harness h({.config_text = "[lock]\ncheck_timeout = 2\n"});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    pid_t hung = h.server().lock_screen->broker_pid();
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("broker_lost") == 1; }, 6000ms));
    CHECK(h.server().locked());
    CHECK(h.server().lock_screen->controller().message().find("took too long") !=
          std::string::npos);
    CHECK(kill(hung, 0) != 0); // the hung broker was killed and reaped

    pam.set_stack(PamFixture::matrix_stack);
    REQUIRE(wait_lock_ready(h, 2));
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("a missing broker binary: locked with a message, then works once it is there",
          "[lock][broker]")
{
    SecretPage password(14);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h({.authd_path = "/nonexistent/rampart-authd"});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return h.server().lock_screen->shown(); }));
    CHECK(h.server_event_count("broker_lost") >= 1);
    CHECK(message_says_unavailable(h));
    CHECK(h.server().lock_screen->controller().phase() == lockscreen::Phase::broker_down);
    answer(h, password.text()); // nothing to check it with: ignored, still locked
    CHECK(h.server().locked());
    Image image = h.capture(0);
    image.write_png(Harness::artefact_path("lock-broker-missing.png"));

    REQUIRE(getenv("RAMPART_AUTHD"));
    h.server().options.authd_path = getenv("RAMPART_AUTHD");
    h.server().lock_screen->apply_config();
    REQUIRE(wait_lock_ready(h));
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("Rampart restarted while locked comes back locked", "[lock][restart]")
{
    SecretPage password(14);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    char pattern[] = "/tmp/rampart-restart-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    std::string runtime = pattern;
    HarnessOptions options{.runtime_dir = runtime, .socket_name = "wayland-restart-test"};
    {
        Harness first(options);
        first.server().lock("test");
        REQUIRE(wait_lock_ready(first));
    } // gone while locked, as after a crash: the state file says locked
    {
        Harness second(options);
        CHECK(second.server().locked());
        CHECK(second.server_event_count("lock", {{"reason", "restart"}}) == 1);
        REQUIRE(wait_lock_ready(second));
        answer(second, password.text());
        REQUIRE(second.wait_until([&] { return second.server_event_count("unlocked") == 1; }));
    }
    {
        Harness third(options); // unlocked last time: starts unlocked
        CHECK_FALSE(third.server().locked());
    }
    SECTION("a state file that cannot be trusted starts locked")
    {
        std::string path = lockscreen::lock_state_path(runtime, "wayland-restart-test");
        std::ofstream(path) << "locked=0\nfailures=zero\n";
        Harness fourth(options);
        CHECK(fourth.server().locked());
    }
    std::filesystem::remove_all(runtime);
}

TEST_CASE("backoff waits grow after repeated failures and survive a restart", "[lock][backoff]")
{
    SecretPage password(14);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    char pattern[] = "/tmp/rampart-backoff-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    std::string runtime = pattern;
    HarnessOptions options{.config_text =
                               "[lock]\nfree_attempts = 1\nbackoff_base = 1\nbackoff_max = 60\n",
                           .runtime_dir = runtime,
                           .socket_name = "wayland-backoff-test"};
    std::string state_path = lockscreen::lock_state_path(runtime, "wayland-backoff-test");
    auto persisted = [&] { return lockscreen::load_lock_state(state_path).state; };
    std::vector<int64_t> waits; // ms: about 1000, 2000, 4000
    {
        Harness h(options);
        h.server().lock("test");
        for (std::size_t failure = 1; failure <= 2; ++failure) {
            REQUIRE(wait_lock_ready(h, failure));
            answer(h, "wrong");
            REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == failure; }));
            CHECK(h.server().lock_screen->controller().phase() == lockscreen::Phase::backoff);
            waits.push_back(wait_ms(h));
            CHECK(persisted().failures == failure);
            CHECK(persisted().backoff_until_ms > 0);
            // Keys typed during the wait are dropped.
            h.type_text("abc");
            CHECK(h.server().lock_screen->controller().typed_count() == 0);
        }
        Image image = h.capture(0);
        image.write_png(Harness::artefact_path("lock-backoff.png"));
    }
    {
        Harness h(options); // restarted in the middle of a wait
        CHECK(h.server().locked());
        CHECK(h.server().lock_screen->controller().failures() == 2);
        REQUIRE(wait_lock_ready(h)); // the rest of the wait, then a prompt
        answer(h, "wrong again");
        REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == 1; }));
        CHECK(h.server().lock_screen->controller().failures() == 3);
        CHECK(persisted().failures == 3);
        waits.push_back(wait_ms(h));
    }
    REQUIRE(waits.size() == 3);
    INFO(waits[0] << " " << waits[1] << " " << waits[2]);
    CHECK(waits[0] < waits[1]);
    CHECK(waits[1] < waits[2]);
    CHECK(waits[2] > 3000);
    std::filesystem::remove_all(runtime);
}
