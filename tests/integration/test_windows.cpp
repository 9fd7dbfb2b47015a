// Issue 2 acceptance: a real client maps, takes focus on click and gets keyboard input;
// frames lie outside the client's buffer; move/resize/maximize/fullscreen stay on the output.
#include "harness.hpp"
#include "input/input_manager.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

namespace {
// A point of the title bar right of the title text and left of the close button.
std::pair<int, int> plain_title_point(View &view)
{
    wm::Box outer = view.outer_box();
    return {outer.x + outer.width - 48, outer.y + 2};
}

std::pair<int, int> center_of(const wm::Box &box)
{
    return {box.x + box.width / 2, box.y + box.height / 2};
}
} // namespace

TEST_CASE("a client maps, takes focus on click and receives keys", "[windows][focus]")
{
    Harness h;
    ClientProcess &first = h.start_client({"--title", "first", "--color", "ff0000"});
    View *first_view = h.wait_for_view(first);
    REQUIRE(first_view);
    ClientProcess &second = h.start_client({"--title", "second", "--color", "00ff00"});
    View *second_view = h.wait_for_view(second);
    REQUIRE(second_view);
    REQUIRE(h.server().focused_view() == second_view);

    // The second window cascades over most of the first: click the part still visible.
    wm::Box first_box = first_view->content_box();
    h.click(first_box.x + 5, first_box.y + 5);
    REQUIRE(h.wait_until([&] { return first.count("keyboard_enter") > 0; }));
    CHECK(h.server().focused_view() == first_view);

    h.tap_key(KEY_A);
    REQUIRE(h.wait_until([&] { return first.count("key", {{"state", "released"}}) > 0; }));
    auto pressed = first.last("key", {{"state", "pressed"}});
    REQUIRE(pressed);
    CHECK((*pressed)["sym"] == "a");
    CHECK(second.count("key", {{"sym", "a"}}) == 0);
}

TEST_CASE("the frame and title bar are drawn outside the client's buffer", "[windows][pixels]")
{
    Harness h;
    ClientProcess &client =
        h.start_client({"--title", "framed", "--color", "ff0000", "--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return view->content_box().width == 300; }));
    Image image = h.capture();
    image.write_png(Harness::artefact_path("frame-outside-buffer.png"));

    wm::Box content = view->content_box();
    wm::Box outer = view->outer_box();
    CHECK(content.width == 300);
    CHECK(content.height == 200);
    // The whole buffer is visible and nothing of the frame covers it.
    CHECK(image.all_in(content, 0xff0000));
    // The frame surrounds it, in the focused colour, with no client pixel in it.
    wm::Box title_bar{outer.x, outer.y, outer.width, content.y - outer.y};
    wm::Box left{outer.x, content.y, content.x - outer.x, content.height};
    wm::Box right{content.x + content.width, content.y,
                  outer.x + outer.width - content.x - content.width, content.height};
    wm::Box bottom{outer.x, content.y + content.height, outer.width,
                   outer.y + outer.height - content.y - content.height};
    for (const wm::Box &edge : {title_bar, left, right, bottom}) {
        CHECK_FALSE(edge.empty());
        CHECK_FALSE(image.any_in(edge, 0xff0000, 40));
    }
    const uint32_t level_rgb = view->frame->identity().colour.rgb();
    CHECK(image.all_in(left, level_rgb));
    CHECK(image.all_in(right, level_rgb));
    CHECK(image.all_in(bottom, level_rgb));
    auto [tx, ty] = plain_title_point(*view);
    CHECK(image.at(tx, ty).near(view->frame->title_background(true).rgb()));
    // A window never sits at the output's corner.
    CHECK(outer.x > 0);
    CHECK(outer.y > 0);
}

TEST_CASE("focused and unfocused frames differ", "[windows][pixels]")
{
    Harness h;
    ClientProcess &a = h.start_client({"--color", "ff0000"});
    View *view_a = h.wait_for_view(a);
    ClientProcess &b = h.start_client({"--color", "0000ff"});
    View *view_b = h.wait_for_view(b);
    REQUIRE((view_a && view_b));
    Image image = h.capture();
    uint32_t focused = view_b->frame->title_background(true).rgb();
    uint32_t unfocused = view_a->frame->title_background(false).rgb();
    CHECK(focused != unfocused);
    auto [ax, ay] = plain_title_point(*view_a);
    auto [bx, by] = plain_title_point(*view_b);
    CHECK(image.at(ax, ay).near(unfocused));
    CHECK(image.at(bx, by).near(focused));
}

TEST_CASE("Super+drag moves a window and it stays reachable on the output", "[windows][move]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    wm::Box before = view->outer_box();
    auto [x, y] = center_of(view->content_box());

    h.key(KEY_LEFTMETA, true);
    h.pointer_to(x, y);
    h.button(BTN_LEFT, true);
    h.pointer_to(x + 250, y + 150);
    h.button(BTN_LEFT, false);
    h.key(KEY_LEFTMETA, false);
    wm::Box after = view->outer_box();
    CHECK(after.x == before.x + 250);
    CHECK(after.y == before.y + 150);
    CHECK(client.count("button") == 0); // the grab's clicks are the compositor's

    // Dragging far off the output leaves the title bar reachable.
    h.key(KEY_LEFTMETA, true);
    auto [x2, y2] = center_of(view->content_box());
    h.pointer_to(x2, y2);
    h.button(BTN_LEFT, true);
    h.pointer_to(1279, 719);
    h.button(BTN_LEFT, false);
    h.key(KEY_LEFTMETA, false);
    wm::Box moved = view->outer_box();
    CHECK(moved.x <= 1280 - 48);
    CHECK(moved.y <= 720 - view->frame_extents().top());
}

TEST_CASE("dragging the frame's right edge resizes the window", "[windows][resize]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    wm::Box outer = view->outer_box();
    double edge_x = outer.x + outer.width - 1, edge_y = outer.y + outer.height / 2.0;
    h.pointer_to(edge_x, edge_y);
    h.button(BTN_LEFT, true);
    h.pointer_to(edge_x + 120, edge_y);
    REQUIRE(h.wait_until([&] { return view->content_box().width == 420; }));
    h.button(BTN_LEFT, false);
    CHECK(view->outer_box().x == outer.x);
    CHECK(client.count("button") == 0);

    // From the left edge the right side stays put.
    outer = view->outer_box();
    h.pointer_to(outer.x, outer.y + outer.height / 2.0);
    h.button(BTN_LEFT, true);
    REQUIRE(outer.x > 20);
    h.pointer_to(outer.x - 20, outer.y + outer.height / 2.0);
    REQUIRE(h.wait_until([&] { return view->content_box().width == 440; }));
    h.button(BTN_LEFT, false);
    wm::Box after = view->outer_box();
    CHECK(after.x + after.width == outer.x + outer.width);
}

TEST_CASE("maximize and fullscreen fill the usable area and stay inside it", "[windows][maximize]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--size", "300x200"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    wm::Box usable = h.output().usable_box();
    wm::Box original = view->outer_box();

    h.chord({KEY_LEFTMETA, KEY_M});
    REQUIRE(h.wait_until([&] { return view->outer_box() == usable; }));
    CHECK(view->maximized());
    auto configure = client.last("configure");
    REQUIRE(configure);
    CHECK((*configure)["states"].find("maximized") != std::string::npos);

    h.chord({KEY_LEFTMETA, KEY_M});
    REQUIRE(h.wait_until([&] { return view->outer_box() == original; }));

    h.chord({KEY_LEFTMETA, KEY_F});
    REQUIRE(h.wait_until([&] { return view->fullscreen() && view->outer_box() == usable; }));
    // A thin frame stays visible around the fullscreen content.
    wm::Box content = view->content_box();
    CHECK(content.x == usable.x + 2);
    CHECK(content.width == usable.width - 4);
    Image image = h.capture();
    const uint32_t level_rgb = view->frame->identity().colour.rgb();
    CHECK(image.at(usable.x, usable.y + usable.height / 2).near(level_rgb));
    CHECK(image.at(usable.x + usable.width / 2, usable.y).near(level_rgb));

    h.chord({KEY_LEFTMETA, KEY_F});
    REQUIRE(h.wait_until([&] { return !view->fullscreen() && view->outer_box() == original; }));
}

TEST_CASE("a client asking to start fullscreen gets the usable area", "[windows][maximize]")
{
    Harness h;
    ClientProcess &client = h.start_client({"--fullscreen"});
    View *view = h.wait_for_view(client);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return view->outer_box() == h.output().usable_box(); }));
    auto configure = client.last("configure");
    REQUIRE(configure);
    CHECK((*configure)["states"].find("fullscreen") != std::string::npos);
}

TEST_CASE("bound keys never reach the client, presses or releases", "[windows][bindings]")
{
    Harness h;
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    h.chord({KEY_LEFTMETA, KEY_M}); // maximize: the compositor's
    h.tap_key(KEY_B);               // an ordinary key: the client's
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "b"}}) == 2; }));
    CHECK(client.count("key", {{"key", std::to_string(KEY_M)}}) == 0);
}

TEST_CASE("Alt+Tab cycles through windows in most-recently-used order", "[windows][focus]")
{
    Harness h;
    std::vector<View *> views;
    for (const char *color : {"ff0000", "00ff00", "0000ff"}) {
        ClientProcess &client = h.start_client({"--color", color});
        views.push_back(h.wait_for_view(client));
        REQUIRE(views.back());
    }
    REQUIRE(h.server().focused_view() == views[2]);
    h.key(KEY_LEFTALT, true);
    h.tap_key(KEY_TAB);
    CHECK(h.server().focused_view() == views[1]);
    h.tap_key(KEY_TAB);
    CHECK(h.server().focused_view() == views[0]);
    h.key(KEY_LEFTALT, false);
    // Releasing Alt made the choice most recent; the window we came from is next.
    CHECK(h.server().focus_order == std::vector<View *>{views[0], views[2], views[1]});
    h.chord({KEY_LEFTALT, KEY_TAB});
    CHECK(h.server().focused_view() == views[2]);
}

TEST_CASE("the close binding asks the focused client to close", "[windows][bindings]")
{
    Harness h;
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_for_view(client));
    h.chord({KEY_LEFTMETA, KEY_LEFTSHIFT, KEY_Q});
    REQUIRE(h.wait_until([&] { return client.exited(); }));
    CHECK(client.count("close") == 1);
    CHECK(client.exit_code() == 0);
}
