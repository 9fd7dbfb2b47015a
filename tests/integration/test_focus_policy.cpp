// Focus stealing: a window that maps, or asks for activation, while the user is typing
// into another window does not take the keyboard.
#include "harness.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

TEST_CASE("a window mapping while the user types does not take focus", "[focus][policy]")
{
    Harness h({.config_text = "[window]\ntyping_grace_ms = 5000\n"});
    ClientProcess &editor = h.start_client({"--title", "editor"});
    View *editor_view = h.wait_for_view(editor);
    REQUIRE(editor_view);
    h.tap_key(KEY_A); // the user is typing
    ClientProcess &intruder = h.start_client({"--title", "intruder"});
    View *intruder_view = h.wait_for_view(intruder);
    REQUIRE(intruder_view);
    CHECK(h.server().focused_view() == editor_view);
    h.tap_key(KEY_B);
    REQUIRE(h.wait_until([&] { return editor.count("key", {{"sym", "b"}}) == 2; }));
    CHECK(intruder.count("keyboard_enter") == 0);
    CHECK(intruder.count("key") == 0);
}

TEST_CASE("a window mapping while the user is idle takes focus", "[focus][policy]")
{
    Harness h({.config_text = "[window]\ntyping_grace_ms = 0\n"});
    ClientProcess &first = h.start_client({});
    REQUIRE(h.wait_for_view(first));
    h.tap_key(KEY_A);
    ClientProcess &second = h.start_client({});
    View *second_view = h.wait_for_view(second);
    REQUIRE(h.wait_until([&] { return second.count("keyboard_enter") > 0; }));
    CHECK(h.server().focused_view() == second_view);
}

TEST_CASE("xdg-activation is refused while the user types elsewhere", "[focus][policy][activation]")
{
    Harness h({.config_text = "[window]\ntyping_grace_ms = 400\n"});
    ClientProcess &background = h.start_client({"--stdin", "--title", "background"});
    View *background_view = h.wait_for_view(background);
    ClientProcess &editor = h.start_client({"--title", "editor"});
    View *editor_view = h.wait_for_view(editor);
    REQUIRE((background_view && editor_view));
    REQUIRE(h.server().focused_view() == editor_view);

    background.send("activate-token-without-serial 1");
    REQUIRE(h.wait_until([&] { return background.count("activation_token") > 0; }));
    std::string token = (*background.last("activation_token"))["token"];

    h.tap_key(KEY_A);
    background.send("activate 1 " + token);
    REQUIRE(h.wait_until([&] { return h.server_event_count("activation_refused") == 1; }));
    CHECK(h.server().focused_view() == editor_view);

    // Once the user has stopped typing, the same kind of request is honoured.
    REQUIRE(h.wait_until([&] { return !h.server().user_is_typing(); }, 3000ms));
    background.send("activate-token-without-serial 1");
    REQUIRE(h.wait_until([&] { return background.count("activation_token") > 1; }));
    token = (*background.last("activation_token"))["token"];
    background.send("activate 1 " + token);
    REQUIRE(h.wait_until([&] { return h.server().focused_view() == background_view; }));
}
