#include "wm/focus_policy.hpp"
#include "wm/geometry.hpp"

#include <catch2/catch.hpp>

using namespace rampart::wm;

TEST_CASE("outer and content boxes convert both ways", "[geometry]")
{
    FrameExtents frame{2, 24};
    Box content{100, 100, 300, 200};
    Box outer = outer_from_content(content, frame);
    CHECK(outer == Box{98, 76, 304, 226});
    CHECK(content_from_outer(outer, frame) == content);
}

TEST_CASE("content size is clamped to the limit and to the usable area", "[geometry]")
{
    FrameExtents frame{2, 24};
    Box usable{0, 0, 1280, 720};
    CHECK(clamp_content_size({300, 200}, {16384, 16384}, usable, frame) == Size{300, 200});
    CHECK(clamp_content_size({5000, 5000}, {16384, 16384}, usable, frame) == Size{1276, 694});
    CHECK(clamp_content_size({900, 900}, {800, 600}, {0, 0, 4000, 4000}, frame) == Size{800, 600});
    CHECK(clamp_content_size({-5, 0}, {800, 600}, usable, frame) == Size{1, 1});
}

TEST_CASE("cascade placement steps and wraps inside the usable area", "[geometry]")
{
    Box usable{0, 0, 1280, 720};
    Box first = cascade(usable, {400, 300}, 0);
    Box second = cascade(usable, {400, 300}, 1);
    CHECK(first.x > 0);
    CHECK(first.y > 0);
    CHECK(second.x == first.x + 32);
    CHECK(second.y == first.y + 32);
    for (int i = 0; i < 100; ++i) {
        Box box = cascade(usable, {400, 300}, i);
        CHECK(box.x + box.width <= 1280);
        CHECK(box.y + box.height <= 720);
    }
    // A window as large as the area goes to its corner.
    CHECK(cascade(usable, {1280, 720}, 3) == Box{0, 0, 1280, 720});
    // On a second output the placement is relative to it.
    CHECK(cascade({1280, 0, 800, 600}, {400, 300}, 0).x >= 1280);
}

TEST_CASE("keep_inside and keep_reachable", "[geometry]")
{
    Box area{0, 0, 1000, 800};
    CHECK(keep_inside({900, 700, 200, 200}, area) == Box{800, 600, 200, 200});
    CHECK(keep_inside({-50, -50, 200, 200}, area) == Box{0, 0, 200, 200});
    CHECK(keep_inside({0, 0, 2000, 2000}, area).x == 0);
    Box far = keep_reachable({5000, 5000, 300, 200}, area, 24);
    CHECK(far.x <= 1000 - 48);
    CHECK(far.y <= 800 - 24);
    Box left = keep_reachable({-5000, -100, 300, 200}, area, 24);
    CHECK(left.x + 300 >= 48);
    CHECK(left.y == 0);
}

TEST_CASE("resize_box honours edges and the minimum", "[geometry]")
{
    Box start{100, 100, 300, 200};
    CHECK(resize_box(start, Edge::right, 50, 0, {64, 64}) == Box{100, 100, 350, 200});
    CHECK(resize_box(start, Edge::left, -50, 0, {64, 64}) == Box{50, 100, 350, 200});
    CHECK(resize_box(start, Edge::top | Edge::left, 1000, 1000, {64, 64}) == Box{336, 236, 64, 64});
    CHECK(resize_box(start, Edge::bottom, 0, -1000, {64, 64}).height == 64);
}

TEST_CASE("edges_at finds frame edges and corners", "[geometry]")
{
    Box outer{100, 100, 300, 200};
    CHECK(edges_at(outer, 101, 200, 8) == Edge::left);
    CHECK(edges_at(outer, 399, 299, 8) == (Edge::right | Edge::bottom));
    CHECK(edges_at(outer, 250, 200, 8) == Edge::none);
    CHECK(edges_at(outer, 50, 50, 8) == Edge::none);
}

TEST_CASE("focus policy: no stealing while typing", "[policy][focus]")
{
    CHECK(new_window_takes_focus(false, true));
    CHECK(new_window_takes_focus(true, false));
    CHECK_FALSE(new_window_takes_focus(true, true));
    CHECK(allow_activation(true, true, true));
    CHECK_FALSE(allow_activation(false, true, true));
    CHECK(allow_activation(false, false, true));
    CHECK(allow_activation(false, true, false));
}
