// Issue 5: the lock screen as a compositor state. Real broker, real PAM (pam_wrapper +
// pam_matrix), real clients; pixels from committed frames.
#include "lock_fixtures.hpp"
#include "level_fixtures.hpp"
#include "support/memory_scan.hpp"
#include "support/pam_fixture.hpp"

#include <catch2/catch.hpp>

using namespace rampart;
using namespace rampart::test;

TEST_CASE("locked outputs show no client pixel; only the right password unlocks", "[lock]")
{
    SecretPage password(20);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h({.outputs = 2, .config_text = "[panel]\nsecurity_phrase = \"green kettle\"\n"});
    ClientProcess &client = h.start_client({"--size", "400x300", "--color", "3366cc"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(image_has(h.capture(0), client_colour));

    h.server().lock("test");
    REQUIRE(h.server().locked());
    REQUIRE(wait_lock_ready(h));
    CHECK(h.server_event_count("lock", {{"reason", "test"}}) == 1);
    for (size_t i = 0; i < 2; ++i) {
        Image image = h.capture(i);
        image.write_png(Harness::artefact_path("lock-output-" + std::to_string(i) + ".png"));
        CHECK_FALSE(image_has(image, client_colour, 24));
        CHECK(panel_strip_is_lock(image));
        CHECK(image.at(image.width() - 3, image.height() - 3).near(lock_background));
    }

    SECTION("a wrong password keeps it locked and says so")
    {
        answer(h, "not-the-password");
        REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == 1; }));
        REQUIRE(wait_lock_ready(h, 2)); // a new attempt asks again
        CHECK(h.server().locked());
        CHECK(h.server().lock_screen->controller().message() == "Wrong password");
        CHECK(h.server().lock_screen->controller().failures() == 1);
        Image image = h.capture(0);
        image.write_png(Harness::artefact_path("lock-wrong-password.png"));
        CHECK(image_has(image, lock_error_text, 12));
        CHECK_FALSE(image_has(image, client_colour, 24));
        // Then the right one works.
        answer(h, password.text());
        REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    }
    SECTION("the right password unlocks")
    {
        answer(h, password.text());
        REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    }
    CHECK_FALSE(h.server().locked());
    Image after = h.capture(0);
    CHECK(image_has(after, client_colour));
    CHECK_FALSE(panel_strip_is_lock(after));
    CHECK(image_has(after, panel_background, 2));
    CHECK(h.server().lock_screen->controller().failures() == 0);
}

TEST_CASE("a PAM stack with two prompts is answered in turn", "[lock]")
{
    SecretPage password(16);
    PamFixture pam(password.view(), "auth required @MATRIX@\n"
                                    "auth required @TEST@ [prompt=One-time code: ] expect=424242\n"
                                    "account required @MATRIX@\n");
    Harness h;
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    answer(h, password.text());
    REQUIRE(h.wait_until([&] {
        return h.server_event_count("lock_prompt", {{"text", "One-time code: "}}) == 1;
    }));
    CHECK(h.server().lock_screen->controller().prompt_text() == "One-time code: ");
    Image image = h.capture(0);
    image.write_png(Harness::artefact_path("lock-second-prompt.png"));
    answer(h, "424242");
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("no client receives any input between lock and unlock, nor the releases after",
          "[lock][input]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h;
    ClientProcess &logger = h.start_program({hostile_client(), "--keylogger"});
    REQUIRE(h.wait_until([&] { return logger.count("keyboard_enter") == 1 || logger.exited(); }));
    View *view = h.view_by_pid(logger.pid());
    REQUIRE(view);
    wm::Box content = view->content_box();
    h.pointer_to(content.x + 20, content.y + 20);
    REQUIRE(h.wait_until([&] { return logger.count("pointer_enter") == 1; }));
    // Held across the lock: A and the left button.
    h.key(KEY_A, true);
    h.button(BTN_LEFT, true);
    REQUIRE(h.wait_until([&] {
        return logger.count("key", {{"key", std::to_string(KEY_A)}}) == 1 &&
               logger.count("pointer_button") == 1;
    }));

    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    REQUIRE(h.wait_until(
        [&] { return logger.count("keyboard_leave") == 1 && logger.count("pointer_leave") == 1; }));
    const size_t events_at_lock = logger.events().size();

    h.key(KEY_A, false); // pressed before the lock, released during it
    h.button(BTN_LEFT, false);
    h.pointer_to(content.x + 40, content.y + 40);
    h.button(BTN_RIGHT, true);
    h.button(BTN_RIGHT, false);
    h.chord({KEY_LEFTCTRL, KEY_C});
    answer(h, password.text(), /*hold_enter=*/true);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    REQUIRE(h.wait_until([&] { return logger.count("keyboard_enter") == 2; }));
    h.key(KEY_ENTER, false); // the key that completed the unlock: released after it
    // A marker: B reaches the client, so anything sent before it has arrived too.
    h.tap_key(KEY_B);
    REQUIRE(h.wait_until([&] {
        return logger.count("key", {{"key", std::to_string(KEY_B)}}) == 2;
    }));

    const auto &events = logger.events();
    // Between the leave events and the unlock: nothing at all.
    size_t first_after_unlock = events_at_lock;
    while (first_after_unlock < events.size() &&
           events[first_after_unlock].at("event") != "keyboard_enter")
        ++first_after_unlock;
    std::string during_lock;
    for (size_t i = events_at_lock; i < first_after_unlock; ++i)
        during_lock += events[i].at("event") + " ";
    CHECK(during_lock == "");
    // The enter after the unlock shows no held key (Enter is still down at that moment).
    REQUIRE(first_after_unlock < events.size());
    CHECK(events[first_after_unlock].at("keys") == "[]");
    // No release of A, Enter or the left button ever reached the client; no Ctrl+C either.
    CHECK(logger.count("key", {{"key", std::to_string(KEY_A)}}) == 1);
    CHECK(logger.count("key", {{"key", std::to_string(KEY_ENTER)}}) == 0);
    CHECK(logger.count("key", {{"key", std::to_string(KEY_C)}}) == 0);
    CHECK(logger.count("pointer_button") == 1);
    // A click after the unlock arrives whole: press and release.
    h.button(BTN_LEFT, true);
    h.button(BTN_LEFT, false);
    REQUIRE(h.wait_until([&] { return logger.count("pointer_button") == 3; }));
    CHECK(logger.count("pointer_button", {{"state", "released"}}) == 1);
}

TEST_CASE("client frame callbacks stop while locked", "[lock]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h;
    ClientProcess &client = h.start_client({"--size", "200x200", "--animate", "full"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    uint64_t commits = 0;
    Listener commit;
    commit.connect(&view->surface()->events.commit, [&](void *) { ++commits; });
    REQUIRE(h.wait_until([&] { return commits >= 3; }));

    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    h.wait_until([] { return false; }, 100ms); // let an in-flight frame land
    uint64_t at_lock = commits;
    h.wait_until([] { return false; }, 600ms); // ~36 frames at 60 Hz if callbacks went on
    CHECK(commits <= at_lock + 1);

    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    REQUIRE(h.wait_until([&] { return commits >= at_lock + 5; }));
}

TEST_CASE("a hot-plugged output shows the lock in its first committed frame", "[lock][outputs]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h;
    ClientProcess &client = h.start_client({"--size", "600x400", "--color", "3366cc"});
    REQUIRE(h.wait_for_view(client));
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));

    // Added straight on the backend: the Output exists on return (new_output is synchronous)
    // and no frame has been drawn yet, so the hook sees the very first one.
    wlr_output *added = wlr_headless_add_output(h.server().headless_backend, 800, 600);
    Output *output = nullptr;
    for (auto &candidate : h.server().outputs)
        if (candidate->wlr == added)
            output = candidate.get();
    REQUIRE(output);
    std::optional<Image> first;
    output->on_commit_buffer = [&](wlr_buffer *buffer) {
        if (!first)
            first.emplace(copy_buffer_to_image(buffer));
    };
    REQUIRE(output->frames_committed == 0); // the hook is in place before any frame
    REQUIRE(h.wait_until([&] { return first.has_value(); }));
    first->write_png(Harness::artefact_path("lock-hotplug-first-frame.png"));
    CHECK(first->at(first->width() - 3, first->height() - 3).near(lock_background));
    CHECK_FALSE(image_has(*first, client_colour, 24));
    CHECK(panel_strip_is_lock(*first));
    // The client's window would be placed on outputs' usable area; the new output is
    // covered whatever lands there.
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("the lock binding and --start-locked lock; the idle timeout locks", "[lock]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    SECTION("binding")
    {
        Harness h({.config_text = "[bindings]\n\"Super+l\" = \"lock\"\n"});
        h.chord({KEY_LEFTMETA, KEY_L});
        REQUIRE(wait_lock_ready(h));
        CHECK(h.server_event_count("lock", {{"reason", "binding"}}) == 1);
    }
    SECTION("start locked: the very first frame is the lock")
    {
        Harness h({.start_locked = true});
        CHECK(h.server().locked());
        REQUIRE(wait_lock_ready(h));
        CHECK(h.server_event_count("lock", {{"reason", "start"}}) == 1);
        CHECK(panel_strip_is_lock(h.capture(0)));
    }
    SECTION("idle")
    {
        Harness h({.config_text = "[lock]\nidle_timeout = 1\n"});
        CHECK_FALSE(h.server().locked());
        REQUIRE(h.wait_until([&] { return h.server().locked(); }, 4000ms));
        CHECK(h.server_event_count("lock", {{"reason", "idle"}}) == 1);
    }
    SECTION("input postpones the idle lock; it comes once input stops")
    {
        // Slow runs (valgrind) get a longer timeout, as wait_until scales its waits alike.
        const auto timeout = std::chrono::duration_cast<std::chrono::seconds>(scaled(1000ms));
        const int seconds = std::max<int>(1, static_cast<int>(timeout.count()));
        Harness h({.config_text = "[lock]\nidle_timeout = " + std::to_string(seconds) + "\n"});
        for (int i = 0; i < 8; ++i) { // twice the timeout of pointer motion, every quarter
            h.pointer_to(100 + i, 100);
            REQUIRE_FALSE(h.server().locked());
            h.wait_until([] { return false; }, 250ms); // scaled like the timeout
        }
        REQUIRE(h.wait_until([&] { return h.server().locked(); }, 4000ms));
        CHECK(h.server_event_count("lock", {{"reason", "idle"}}) == 1);
    }
}

TEST_CASE("after an unlock the password is in neither process's memory", "[lock][memory]")
{
    if (geteuid() != 0)
        FAIL("needs root to read the non-dumpable broker's memory");
    SecretPage password(24);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h;
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    pid_t broker = h.server().lock_screen->broker_pid();
    REQUIRE(broker > 0);
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));

    MemoryScan in_broker = scan_process_memory(broker, password.view());
    INFO(in_broker.error);
    REQUIRE(in_broker.readable);
    CHECK(in_broker.matches == 0);
    // This test process is the compositor; its one allowed copy is the test's own page.
    MemoryScan in_compositor =
        scan_process_memory(getpid(), password.view(), password.begin(), password.end());
    REQUIRE(in_compositor.readable);
    CHECK(in_compositor.matches == 0);
    // The scanner does find a copy where there is one: the test's own page.
    CHECK(scan_process_memory(getpid(), password.view()).matches >= 1);
}

TEST_CASE("a window mapped or activated while locked does not get the keyboard at unlock",
          "[lock][focus]")
{
    SecretPage password(12);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    Harness h({.config_text = "[window]\ntyping_grace_ms = 0\n"});
    ClientProcess &first = h.start_client({"--size", "300x200", "--stdin"});
    View *first_view = h.wait_for_view(first);
    REQUIRE(first_view);
    REQUIRE(h.server().focused_view() == first_view);

    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    ClientProcess &intruder = h.start_client({"--size", "300x200", "--title", "Password"});
    View *intruder_view = h.wait_for_view(intruder);
    REQUIRE(intruder_view);
    CHECK(h.server().focused_view() == first_view);
    answer(h, password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    CHECK(h.server().focused_view() == first_view);
    REQUIRE(h.wait_until([&] { return first.count("keyboard_enter") >= 2; }));
    CHECK(intruder.count("keyboard_enter") == 0);
}
