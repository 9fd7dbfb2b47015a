// Issue 4: the secure attention key is always Rampart's and opens the trusted overview.
#include "harness.hpp"
#include "level_fixtures.hpp"
#include "overview.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

namespace {
const std::string overview_config =
    two_levels + "[panel]\nsecurity_phrase = \"blue heron at dawn\"\n";
}

namespace {
} // namespace

TEST_CASE("the secure attention key reaches no client and opens the overview", "[overview][sak]")
{
    Harness h({.config_text = overview_config});
    ClientProcess &secret = h.start_client_at("secret", {"--size", "300x200", "--color", "202020"});
    View *secret_view = h.wait_for_view(secret);
    ClientProcess &logger = h.start_program_at("public", {hostile_client(), "--keylogger"});
    REQUIRE(h.wait_until([&] { return logger.count("keyboard_enter") > 0 || logger.exited(); }));
    REQUIRE_FALSE(logger.exited());
    View *logger_view = h.view_by_pid(logger.pid());
    REQUIRE((secret_view && logger_view));
    secret_view->move_to(40, 80);
    logger_view->move_to(500, 80);
    size_t keys_before = logger.count("key");

    h.chord({KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE});
    REQUIRE(h.server().overview->mode() == Overview::Mode::interactive);
    CHECK(h.server_event_count("secure_attention") == 1);
    // One badge per window plus the phrase banner on the output.
    CHECK(h.server().overview->badge_count() == 3);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("overview.png"));
    wm::Box secret_content = secret_view->content_box();
    CHECK(image.any_in(secret_content, 0xc62828));
    CHECK(image.any_in(logger_view->content_box(), 0x2e7d32));

    // While open, no key reaches any client; Escape closes it, also unseen.
    h.tap_key(KEY_A);
    h.tap_key(KEY_ESC);
    CHECK_FALSE(h.server().overview->is_open());
    // The client had the keyboard taken away when the overview opened, and got it back.
    REQUIRE(h.wait_until([&] { return logger.count("keyboard_enter") >= 2; }));
    CHECK(logger.count("keyboard_leave") >= 1);
    // Nothing of the secure attention key reached the client: not Ctrl or Alt (held back
    // until they could no longer start it), not Delete, not a, not Escape.
    CHECK(logger.count("key") == keys_before);

    // After closing, typing reaches the focused client again.
    h.tap_key(KEY_B);
    REQUIRE(h.wait_until([&] {
        return logger.count("key", {{"key", std::to_string(KEY_B)}}) == 2;
    }));
}

TEST_CASE("a click in the overview picks that window", "[overview][sak]")
{
    Harness h({.config_text = overview_config});
    ClientProcess &first = h.start_client_at("secret", {"--size", "300x200"});
    View *first_view = h.wait_for_view(first);
    ClientProcess &second = h.start_client_at("public", {"--size", "300x200"});
    View *second_view = h.wait_for_view(second);
    REQUIRE((first_view && second_view));
    first_view->move_to(40, 80);
    second_view->move_to(500, 80);
    REQUIRE(h.server().focused_view() == second_view);
    h.chord({KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE});
    wm::Box content = first_view->content_box();
    h.click(content.x + 10, content.y + 10);
    CHECK_FALSE(h.server().overview->is_open());
    CHECK(h.server().focused_view() == first_view);
    CHECK(first.count("button") == 0); // the click was the overview's
}

TEST_CASE("X-ray shows the badges only while its key is held", "[overview][xray]")
{
    Harness h({.config_text = overview_config});
    ClientProcess &client = h.start_client_at("public", {});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    h.key(KEY_COMPOSE, true); // the Menu key
    CHECK(h.server().overview->mode() == Overview::Mode::xray);
    CHECK(h.server().overview->badge_count() == 1);
    h.key(KEY_COMPOSE, false);
    CHECK_FALSE(h.server().overview->is_open());
    CHECK(client.count("key", {{"key", std::to_string(KEY_COMPOSE)}}) == 0);
}

TEST_CASE("the secure attention key and the panel edge are configurable", "[overview][sak][config]")
{
    Harness h(
        {.config_text = "[panel]\nsecure_attention_key = \"Super+Escape\"\nedge = \"bottom\"\n"});
    wm::Box strip = h.output().panel_box();
    wm::Box layout = h.output().layout_box();
    CHECK(strip.y + strip.height == layout.y + layout.height);
    CHECK(h.output().usable_box().y == layout.y);
    ClientProcess &client = h.start_client({"--maximized"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return view->outer_box() == h.output().usable_box(); }));
    CHECK(view->outer_box().y + view->outer_box().height <= strip.y);

    h.chord({KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE}); // no longer the secure attention key
    CHECK_FALSE(h.server().overview->is_open());
    h.chord({KEY_LEFTMETA, KEY_ESC});
    CHECK(h.server().overview->mode() == Overview::Mode::interactive);
    CHECK(client.count("key", {{"key", std::to_string(KEY_ESC)}}) == 0);
}

TEST_CASE("held-back modifiers still reach clients with the next key or click", "[overview][sak]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &client = h.start_client_at("public", {"--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    // Ctrl+c: the client sees Ctrl pressed before c.
    h.chord({KEY_LEFTCTRL, KEY_C});
    REQUIRE(h.wait_until([&] { return client.count("key", {{"state", "released"}}) == 2; }));
    const auto &events = client.events();
    std::vector<std::string> order;
    for (const Event &e : events)
        if (e.at("event") == "key" && e.at("state") == "pressed")
            order.push_back(e.at("key"));
    REQUIRE(order.size() == 2);
    CHECK(order[0] == std::to_string(KEY_LEFTCTRL));
    CHECK(order[1] == std::to_string(KEY_C));
    // Ctrl+click: Ctrl is delivered before the button.
    wm::Box content = view->content_box();
    h.key(KEY_LEFTCTRL, true);
    h.click(content.x + 10, content.y + 10);
    REQUIRE(h.wait_until([&] { return client.count("button") >= 1; }));
    CHECK(client.count("key", {{"key", std::to_string(KEY_LEFTCTRL)}, {"state", "pressed"}}) == 2);
    h.key(KEY_LEFTCTRL, false);
}

TEST_CASE("while the overview is open no client gets the keyboard, even on Tab", "[overview][sak]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &first = h.start_client_at("public", {});
    REQUIRE(h.wait_for_view(first));
    ClientProcess &second = h.start_client_at("secret", {});
    REQUIRE(h.wait_for_view(second));
    REQUIRE(h.wait_until([&] { return second.count("keyboard_enter") > 0; }));
    h.chord({KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE});
    REQUIRE(h.server().overview->mode() == Overview::Mode::interactive);
    size_t enters_first = first.count("keyboard_enter"),
           enters_second = second.count("keyboard_enter");
    h.tap_key(KEY_TAB); // moves the choice to the other window
    h.tap_key(KEY_X);
    CHECK(first.count("keyboard_enter") == enters_first);
    CHECK(second.count("keyboard_enter") == enters_second);
    h.tap_key(KEY_ESC);
    // Closing gives the keyboard to the window chosen with Tab, and only now.
    REQUIRE(h.wait_until([&] { return first.count("keyboard_enter") == enters_first + 1; }));
    CHECK(first.count("key", {{"key", std::to_string(KEY_X)}}) == 0);
    CHECK(second.count("key", {{"key", std::to_string(KEY_X)}}) == 0);
}

TEST_CASE("an unknown secure attention key falls back to Ctrl+Alt+Delete",
          "[overview][sak][config]")
{
    Harness h({.config_text = "[panel]\nsecure_attention_key = \"Ctrl+NoSuchKeyAnywhere\"\n"});
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_for_view(client));
    h.chord({KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE});
    CHECK(h.server().overview->mode() == Overview::Mode::interactive);
    CHECK(client.count("key", {{"key", std::to_string(KEY_DELETE)}}) == 0);
}
