// Issue 2 acceptance: popups stay on screen, a hot-plugged output gets windows and renders
// them, windows leave an unplugged output.
#include "harness.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

TEST_CASE("a popup placed off the output is moved back onto it", "[outputs][popups]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--size", "400x300", "--popup", "390,290,500x400"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return client.count("popup_configure") > 0; }));
    auto popup = *client.last("popup_configure");
    wm::Box content = view->content_box();
    int x = content.x + std::stoi(popup["x"]), y = content.y + std::stoi(popup["y"]);
    int width = std::stoi(popup["width"]), height = std::stoi(popup["height"]);
    wm::Box usable = h.output().usable_box();
    CHECK(x >= usable.x);
    CHECK(y >= usable.y);
    CHECK(x + width <= usable.x + usable.width);
    CHECK(y + height <= usable.y + usable.height);

    // And it is really drawn there.
    Image image = h.capture();
    CHECK(image.any_in({x, y, width, height}, 0xff00ff));
}

TEST_CASE("a popup bigger than the output is cut down to the output", "[outputs][popups]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--popup", "10,10,3000x2000"});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("popup_configure") > 0; }));
    auto popup = *client.last("popup_configure");
    CHECK(std::stoi(popup["width"]) <= 1280);
    CHECK(std::stoi(popup["height"]) <= 720);
}

TEST_CASE("a hot-plugged output gets a window sent to it and renders it", "[outputs][hotplug]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--color", "00ff00", "--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);

    wlr_output *added = h.add_output(800, 600);
    REQUIRE(h.server().outputs.size() == 2);
    Output &second = h.output(1);
    CHECK(second.wlr == added);
    wm::Box second_box = second.layout_box();
    CHECK(second_box.width == 800);

    h.chord({KEY_LEFTMETA, KEY_O}); // send to the next output
    wm::Box outer = view->outer_box();
    CHECK(second_box.contains(outer.x, outer.y));
    CHECK(second_box.contains(outer.x + outer.width - 1, outer.y + outer.height - 1));

    Image image = h.capture(1);
    image.write_png(Harness::artefact_path("hotplug-second-output.png"));
    wm::Box content = view->content_box();
    wm::Box local{content.x - second_box.x, content.y - second_box.y, content.width,
                  content.height};
    CHECK(image.all_in(local, 0x00ff00));
    CHECK_FALSE(h.capture(0).any_in({0, 0, 1280, 720}, 0x00ff00));

    // Unplugging it brings the window back to the remaining output.
    wlr_output_destroy(added);
    REQUIRE(h.wait_until([&] { return h.server().outputs.size() == 1; }));
    wm::Box back = view->outer_box();
    CHECK(h.output(0).layout_box().contains(back.x, back.y));
    CHECK(h.capture(0).all_in(view->content_box(), 0x00ff00));
}
