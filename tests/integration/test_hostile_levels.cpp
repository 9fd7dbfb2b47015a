// Issue 3: hostile titles, fullscreen and output-sized clients, popups and subsurfaces that
// try to escape their frame or cover the panel strip.
#include "harness.hpp"
#include "input/input_manager.hpp"
#include "level_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace rampart;
using namespace rampart::test;

namespace {

constexpr uint32_t panel_background_rgb = 0x18181b; // panel/render.hpp

View *wait_hostile_view(Harness &h, ClientProcess &client)
{
    View *view = nullptr;
    h.wait_until(
        [&] {
            view = h.view_by_pid(client.pid());
            return (view && client.count("mapped") > 0) || client.exited();
        },
        10000ms);
    return view;
}

// The label area at the start of the title bar is the level's colour.
bool shows_level_first(const Image &image, View &view, uint32_t rgb)
{
    wm::Box outer = view.outer_box();
    int border = view.frame_extents().border;
    return image.any_in({outer.x + border + 3, outer.y + 3, 14, view.frame_extents().top() - 6},
                        rgb, 6);
}

} // namespace

TEST_CASE("hostile titles are shown escaped after the true level", "[levels][hostile][titles]")
{
    Harness h({.config_text = two_levels});
    struct Case {
        const char *kind;
        const char *must_contain; // in the sanitised title
    };
    const Case cases[] = {
        {"rtl", "⟨U+202E⟩"},       {"zwj", "⟨U+200D⟩"},       {"invalid-utf8", "\xEF\xBF\xBD"},
        {"markup", "<b>bold</b>"}, {"imitation", "[SECRET]"}, {"newlines", "line1 line2 Tab"},
    };
    for (const Case &c : cases) {
        INFO(c.kind);
        ClientProcess &client = h.start_program_at(
            "public", {hostile_client(), "--evil-title", c.kind, "--color", "ffffff"});
        View *view = wait_hostile_view(h, client);
        REQUIRE(view);
        REQUIRE(h.wait_until([&] { return !view->title().empty(); }));
        CHECK(view->title().find(c.must_contain) != std::string::npos);
        CHECK(view->level() == h.level_index("public"));
        Image image = h.capture();
        image.write_png(Harness::artefact_path(std::string("title-") + c.kind + ".png"));
        CHECK(shows_level_first(image, *view, public_rgb));
        client.kill_now();
        REQUIRE(h.wait_until([&] { return h.view_by_pid(client.pid()) == nullptr; }));
    }
}

TEST_CASE("a 10 MB title cannot hurt Rampart", "[levels][hostile][titles]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &client =
        h.start_program_at("public", {hostile_client(), "--huge-title", "10000000"});
    REQUIRE(h.wait_until([&] { return client.count("mapped") > 0 || client.exited(); }, 20000ms));
    // Whatever got through (libwayland caps a message at 4 KB), the title is capped and the
    // compositor still serves others.
    if (View *view = h.view_by_pid(client.pid()))
        CHECK(view->title().size() < 256 * 4 + 8);
    ClientProcess &other = h.start_client_at("secret", {});
    REQUIRE(h.wait_for_view(other));
}

TEST_CASE("fullscreen and output-sized clients leave the panel strip and the frame",
          "[levels][pixels]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &full = h.start_client_at("public", {"--fullscreen", "--color", "ffff00"});
    View *view = h.wait_for_view(full);
    REQUIRE(view);
    REQUIRE(h.wait_until([&] { return view->fullscreen() && view->content_box().height > 600; }));
    h.pointer_to(640, 400); // keep the software cursor out of the strip
    wm::Box strip = h.output().panel_box();
    Image image = h.capture();
    image.write_png(Harness::artefact_path("fullscreen-strip.png"));
    CHECK(image.any_in(strip, panel_background_rgb, 2));
    CHECK_FALSE(image.any_in(strip, 0xffff00, 30));
    wm::Box usable = h.output().usable_box();
    int thickness = h.server().config.window.fullscreen_border;
    CHECK(image.all_in({usable.x, usable.y, usable.width, thickness}, public_rgb));
    CHECK(image.all_in({usable.x, usable.y, thickness, usable.height}, public_rgb));
    CHECK(image.all_in({usable.x + usable.width - thickness, usable.y, thickness, usable.height},
                       public_rgb));
    full.kill_now();

    ClientProcess &sized =
        h.start_program_at("public", {hostile_client(), "--output-sized", "--color", "ffff00"});
    View *sized_view = wait_hostile_view(h, sized);
    REQUIRE(sized_view);
    Image second = h.capture();
    second.write_png(Harness::artefact_path("output-sized-strip.png"));
    CHECK(second.any_in(strip, panel_background_rgb, 2));
    CHECK_FALSE(second.any_in({strip.x, strip.y, strip.width, strip.height}, 0xffff00, 30));
    wm::Box outer = sized_view->outer_box();
    wm::Box content = sized_view->content_box();
    // Its frame is there, and nothing yellow outside its content box.
    CHECK(second.all_in({outer.x, content.y, content.x - outer.x, 40}, public_rgb));
    CHECK_FALSE(second.any_in({outer.x, outer.y, outer.width, content.y - outer.y}, 0xffff00, 30));
}

TEST_CASE("popups placed off-screen or oversized stay on screen and framed", "[levels][popups]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &client = h.start_program_at(
        "public", {hostile_client(), "--popup-escape", "390,290,3000x2000", "--size", "400x300"});
    View *view = wait_hostile_view(h, client);
    REQUIRE(view);
    REQUIRE(h.wait_until(
        [&] { return !h.server().popups.empty() && client.count("popup_configure") > 0; }));
    Popup *popup = h.server().popups.front().get();
    REQUIRE(h.wait_until([&] { return !popup->clip_box().empty(); }));
    wm::Box frame = popup->frame_box();
    wm::Box layout = h.output().layout_box();
    wm::Box usable = h.output().usable_box();
    CHECK(frame.x >= layout.x);
    CHECK(frame.y >= usable.y);
    CHECK(frame.x + frame.width <= layout.x + layout.width);
    CHECK(frame.y + frame.height <= layout.y + layout.height);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("popup-escape.png"));
    // Its frame is drawn in the level colour, and its pink never leaves the frame.
    CHECK(image.all_in({frame.x, frame.y, frame.width, 2}, public_rgb));
    wm::Box strip = h.output().panel_box();
    CHECK_FALSE(image.any_in(strip, 0xff00ff, 30));
}

TEST_CASE("a subsurface over the panel strip or outside its parent is not drawn there",
          "[levels][subsurfaces]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &client =
        h.start_program_at("public", {hostile_client(), "--subsurface-over", "-100,-100,5000x5000",
                                      "--size", "300x200", "--color", "00ffff"});
    View *view = wait_hostile_view(h, client);
    REQUIRE(view);
    wm::Box content = view->content_box();
    wm::Box strip = h.output().panel_box();
    // The subsurface commits after the window maps: wait until it is drawn in the content
    // box, where it is clipped, then check it appears nowhere else.
    std::optional<Image> shot;
    REQUIRE(h.wait_until([&] {
        shot.emplace(h.capture());
        return shot->any_in(content, 0xff00ff);
    }));
    Image &image = *shot;
    image.write_png(Harness::artefact_path("subsurface-over.png"));
    CHECK_FALSE(image.any_in(strip, 0xff00ff, 30));
    CHECK_FALSE(image.any_in({0, content.y + content.height + 2, 1280, 200}, 0xff00ff, 30));
    CHECK_FALSE(
        image.any_in({content.x + content.width + 2, strip.height, 600, 600}, 0xff00ff, 30));
    CHECK(shows_level_first(image, *view, public_rgb));
}

TEST_CASE("content clipped away takes no input: clicks reach what is shown there",
          "[levels][subsurfaces][input]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &secret = h.start_client_at("secret", {"--size", "300x200", "--color", "202020"});
    View *secret_view = h.wait_for_view(secret);
    ClientProcess &hostile =
        h.start_program_at("public", {hostile_client(), "--subsurface-over", "-100,-100,5000x5000",
                                      "--size", "200x150"});
    View *hostile_view = wait_hostile_view(h, hostile);
    REQUIRE((secret_view && hostile_view));
    secret_view->move_to(600, 100);
    hostile_view->move_to(40, 100);
    wlr_scene_node_raise_to_top(&hostile_view->tree->node); // its huge subsurface on top
    // A click in the secret window goes to the secret window, not to the invisible part of
    // the hostile subsurface stacked above it.
    wm::Box content = secret_view->content_box();
    h.click(content.x + 30, content.y + 30);
    CHECK(h.server().focused_view() == secret_view);
    REQUIRE(h.wait_until([&] { return secret.count("button") >= 1; }));
    // A window's own title bar stays the frame's, even under its own subsurface: the close
    // button of a window whose subsurface covers it still closes the window.
    ClientProcess &covered =
        h.start_client_at("public", {"--size", "300x200", "--subsurface", "-40,-60,400x300"});
    View *covered_view = h.wait_for_view(covered);
    REQUIRE(covered_view);
    covered_view->move_to(300, 400);
    wm::Box outer = covered_view->outer_box();
    wm::Box close = covered_view->frame->close_button();
    REQUIRE_FALSE(close.empty());
    h.click(outer.x + close.x + close.width / 2, outer.y + close.y + close.height / 2);
    REQUIRE(h.wait_until([&] { return covered.exited(); }));
    CHECK(covered.count("close") == 1);
    CHECK(covered.count("button") == 0);
}

TEST_CASE("a client cursor cannot be large or paint over the panel", "[levels][hostile][cursor]")
{
    Harness h({.config_text = two_levels});
    // Too large: refused, the compositor's own cursor stays.
    ClientProcess &big = h.start_program_at(
        "public", {hostile_client(), "--keylogger", "--cursor-size", "600", "--size", "400x300"});
    View *big_view = wait_hostile_view(h, big);
    REQUIRE(big_view);
    wm::Box content = big_view->content_box();
    h.pointer_to(content.x + 100, content.y + 40); // near the panel: the image reaches up
    REQUIRE(h.wait_until([&] { return big.count("cursor_set") == 1; }));
    h.pointer_to(content.x + 101, content.y + 40);
    CHECK_FALSE(h.server().input->client_cursor());
    Image image = h.capture();
    CHECK_FALSE(image.any_in(h.output().panel_box(), 0xff00ff, 20));
    big.kill_now();

    // Small: accepted, but still never drawn over the panel.
    ClientProcess &small = h.start_program_at(
        "public", {hostile_client(), "--keylogger", "--cursor-size", "64", "--size", "400x300"});
    View *small_view = wait_hostile_view(h, small);
    REQUIRE(small_view);
    content = small_view->content_box();
    h.pointer_to(content.x + 50, content.y + 5);
    REQUIRE(h.wait_until(
        [&] { return small.count("cursor_set") == 1 && h.server().input->client_cursor(); }));
    Image second = h.capture();
    second.write_png(Harness::artefact_path("client-cursor.png"));
    CHECK(second.any_in(content, 0xff00ff, 20)); // drawn where it may be
    CHECK_FALSE(second.any_in(h.output().panel_box(), 0xff00ff, 20));
    small.kill_now();

    // Small first, then grown: the client is disconnected.
    ClientProcess &grower = h.start_program_at(
        "public", {hostile_client(), "--keylogger", "--cursor-size", "32", "--cursor-grow", "600"});
    View *grower_view = wait_hostile_view(h, grower);
    REQUIRE(grower_view);
    content = grower_view->content_box();
    h.pointer_to(content.x + 60, content.y + 60);
    REQUIRE(h.wait_until([&] { return grower.exited(); }));
    CHECK(h.server_event_count("limit_surface_size") >= 1);
}
