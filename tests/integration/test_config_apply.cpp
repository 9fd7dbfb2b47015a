// Output mode, scale, transform and position from config; keyboard layouts and their
// switch binding; placement on the output under the pointer; the title bar's close button.
#include "harness.hpp"
#include "input/keyboard.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

TEST_CASE("outputs take mode, scale, transform and position from config", "[config][outputs]")
{
    Harness h({.outputs = 2, .config_text = ""});
    Output &first = h.output(0);
    Output &second = h.output(1);
    // Headless output names count up across the whole test process, so name them as found;
    // applying at run time is also what a reload does.
    std::string text = "[[output]]\nname = \"" + std::string(first.name()) +
                       "\"\nmode = \"1024x768\"\nscale = 2\nposition = [0, 0]\n"
                       "[[output]]\nname = \"" +
                       std::string(second.name()) +
                       "\"\ntransform = \"90\"\nposition = [3000, 100]\n";
    config::LoadResult loaded = config::parse(text, "outputs.toml", "", "user.toml");
    REQUIRE(loaded.config);
    h.server().apply_config(*loaded.config);
    CHECK(first.wlr->width == 1024);
    CHECK(first.wlr->height == 768);
    CHECK(first.wlr->scale == 2.0f);
    CHECK(first.layout_box() == wm::Box{0, 0, 512, 384});
    CHECK(second.wlr->transform == WL_OUTPUT_TRANSFORM_90);
    CHECK(second.layout_box() == wm::Box{3000, 100, 720, 1280});

    // A window on the scaled output renders at twice the size in output pixels.
    ClientProcess &client = h.start_client({"--color", "ff0000", "--size", "100x50"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    Image image = h.capture(0);
    wm::Box content = view->content_box();
    CHECK(image.all_in({content.x * 2, content.y * 2, 200, 100}, 0xff0000));
    CHECK_FALSE(image.any_in({content.x * 2 + 200, content.y * 2, 4, 100}, 0xff0000, 40));
}

TEST_CASE("a new window is placed on the output under the pointer", "[config][outputs]")
{
    Harness h({.outputs = 2, .config_text = ""});
    wm::Box second = h.output(1).layout_box();
    h.pointer_to(second.x + 100, second.y + 100);
    ClientProcess &client = h.start_client({});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    wm::Box outer = view->outer_box();
    CHECK(second.contains(outer.x, outer.y));
}

TEST_CASE("several keyboard layouts and the switch binding", "[config][keyboard]")
{
    Harness h({.config_text = "[keyboard]\nlayout = \"us,de\"\n"});
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    h.tap_key(KEY_Y);
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "y"}}) == 2; }));
    h.chord({KEY_LEFTMETA, KEY_SPACE}); // next layout: German swaps y and z
    REQUIRE(h.server_event_count("layout") == 1);
    auto layout = std::find_if(h.server_events().rbegin(), h.server_events().rend(),
                               [](const Event &e) { return e.at("event") == "layout"; });
    CHECK(layout->at("name").find("German") != std::string::npos);
    h.tap_key(KEY_Y);
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "z"}}) == 2; }));
}

TEST_CASE("an unknown layout is refused and the keyboard keeps working", "[config][keyboard]")
{
    Harness h({.config_text = "[keyboard]\nlayout = \"no-such-layout\"\n"});
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    h.tap_key(KEY_A);
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "a"}}) == 2; }));
}

TEST_CASE("the title bar's close button closes the window", "[windows][frame]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    wm::Box outer = view->outer_box();
    wm::Box close = view->frame->close_button();
    REQUIRE_FALSE(close.empty());
    h.click(outer.x + close.x + close.width / 2, outer.y + close.y + close.height / 2);
    REQUIRE(h.wait_until([&] { return client.exited(); }));
    CHECK(client.count("close") == 1);
}
