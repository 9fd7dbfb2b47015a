// Issue 4: the panel shows the focused level and every window, reacts to clicks, is on every
// output from its first frame, and is never covered.
#include "harness.hpp"
#include "panel_list.hpp"
#include "level_fixtures.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

namespace {

// The focused-level area: the panel's left end.
wm::Box focused_level_area(Output &output)
{
    wm::Box strip = output.panel_box();
    return {strip.x + 4, strip.y + 4, 40, strip.height - 8};
}

// Waits until the flash that follows a change of focused level has faded.
void settle(Harness &h)
{
    REQUIRE(h.wait_until([&] { return h.server().panel_model().flash == 0; }));
}
} // namespace

TEST_CASE("the panel's level area shows the focused window's level and follows focus", "[panel]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &pub = h.start_client_at("public", {"--size", "300x200"});
    View *public_view = h.wait_for_view(pub);
    ClientProcess &sec = h.start_client_at("secret", {"--size", "300x200"});
    View *secret_view = h.wait_for_view(sec);
    REQUIRE((public_view && secret_view));
    public_view->move_to(40, 80);
    secret_view->move_to(500, 80);
    settle(h);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("panel-secret-focused.png"));
    CHECK(image.any_in(focused_level_area(h.output()), secret_rgb, 4));
    CHECK_FALSE(image.any_in(focused_level_area(h.output()), public_rgb, 4));

    // Click the public window: the level area changes at once (a flash, then the colour).
    wm::Box content = public_view->content_box();
    h.click(content.x + 20, content.y + 20);
    CHECK(h.server().panel_model().focused_level == public_view->level());
    CHECK(h.server().panel_model().flash > 0);
    settle(h);
    Image after = h.capture();
    CHECK(after.any_in(focused_level_area(h.output()), public_rgb, 4));
    CHECK_FALSE(after.any_in(focused_level_area(h.output()), secret_rgb, 4));
}

TEST_CASE("the panel lists every window; clicking an entry focuses it, middle-click closes",
          "[panel]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &first = h.start_client_at("public", {"--title", "first"});
    View *first_view = h.wait_for_view(first);
    ClientProcess &second = h.start_client_at("secret", {"--title", "second"});
    View *second_view = h.wait_for_view(second);
    REQUIRE((first_view && second_view));
    h.wait_until([&] { return h.server().panel_model().windows.size() == 2; });
    panel::PanelModel model = h.server().panel_model();
    REQUIRE(model.windows.size() == 2);
    CHECK(model.windows[0].level == first_view->level()); // grouped by level, rank order
    CHECK(model.windows[1].focused);

    // Find the first window's entry in the layout and click it.
    Output &output = h.output();
    wm::Box strip = output.panel_box();
    std::optional<wm::Box> entry;
    for (int x = strip.x; x < strip.x + strip.width && !entry; x += 4) {
        panel::Hit hit = output.panel->hit(x, strip.y + strip.height / 2);
        if (hit.kind == panel::HitKind::window && hit.window_id == first_view->id)
            entry = wm::Box{x, strip.y, 1, strip.height};
    }
    REQUIRE(entry);
    h.click(entry->x + 2, strip.y + strip.height / 2);
    CHECK(h.server().focused_view() == first_view);
    CHECK(first.count("button") == 0); // the panel's click, not the client's

    h.click(entry->x + 2, strip.y + strip.height / 2, BTN_MIDDLE);
    REQUIRE(h.wait_until([&] { return first.exited(); }));
    CHECK(first.count("close") == 1);
}

TEST_CASE("no client pixel ever lands on the panel, on any output", "[panel][pixels]")
{
    Harness h({.outputs = 2, .config_text = two_levels});
    ClientProcess &full = h.start_client_at("public", {"--fullscreen", "--color", "ffff00"});
    REQUIRE(h.wait_for_view(full));
    ClientProcess &popup =
        h.start_client_at("secret", {"--color", "00ffff", "--popup", "10,-400,600x500",
                                     "--subsurface", "-50,-300,400x400"});
    View *popup_view = h.wait_for_view(popup);
    REQUIRE(popup_view);
    h.chord({KEY_LEFTMETA, KEY_O}); // the popup's window to the other output, then back
    for (size_t i = 0; i < 2; ++i) {
        Image image = h.capture(i);
        wm::Box strip = h.output(i).panel_box();
        wm::Box local{0, 0, strip.width, strip.height};
        for (uint32_t rgb : {0xffff00u, 0x00ffffu, 0xff00ffu, 0x00ff00u})
            CHECK_FALSE(image.any_in(local, rgb, 20));
    }
}

TEST_CASE("a hot-plugged output shows its panel in the first frame it commits", "[panel][hotplug]")
{
    Harness h({.config_text = two_levels});
    ClientProcess &client = h.start_client_at("secret", {});
    REQUIRE(h.wait_for_view(client));
    // Catch the very first buffer of the next output.
    cairo_surface_t *first_frame = nullptr;
    Listener new_output;
    new_output.connect(&h.server().backend->events.new_output, [&](void *) {
        // Runs after the server's own handler: the Output exists now.
        Output &added = *h.server().outputs.back();
        added.on_commit_buffer = [&](wlr_buffer *buffer) {
            if (!first_frame)
                first_frame = copy_buffer_to_image(buffer);
        };
    });
    h.add_output(800, 600);
    REQUIRE(h.wait_until([&] { return first_frame != nullptr; }));
    Image image(first_frame);
    image.write_png(Harness::artefact_path("panel-hotplug-first-frame.png"));
    CHECK(h.output(1).frames_committed >= 1);
    // The panel background and the focused (secret) level are in that very first frame.
    CHECK(image.any_in({0, 0, 800, Output::panel_height}, 0x18181b, 2));
    CHECK(image.any_in({0, 0, 60, Output::panel_height}, secret_rgb, 4));
}

TEST_CASE("a +N entry opens a list of its windows; a row focuses one", "[panel][overflow]")
{
    Harness h({.width = 800, .height = 600, .config_text = two_levels});
    ClientProcess &many = h.start_client_at(
        "public", {"--windows", "14", "--size", "120x80", "--title", "A rather long window title"});
    REQUIRE(h.wait_for_view(many, 13));
    REQUIRE(h.wait_until([&] { return h.server().panel_model().windows.size() == 14; }));
    Output &output = h.output();
    wm::Box strip = output.panel_box();
    std::optional<int> overflow_x;
    for (int x = strip.x; x < strip.x + strip.width && !overflow_x; x += 2)
        if (output.panel->hit(x, strip.y + strip.height / 2).kind == panel::HitKind::overflow)
            overflow_x = x;
    REQUIRE(overflow_x);
    h.click(*overflow_x + 1, strip.y + strip.height / 2);
    REQUIRE(h.server().panel_list->is_open());
    REQUIRE_FALSE(h.server().panel_list->rows().empty());
    Image image = h.capture();
    image.write_png(Harness::artefact_path("panel-overflow-list.png"));
    uint64_t wanted = h.server().panel_list->windows().back();
    wm::Box row = h.server().panel_list->rows().back();
    h.click(row.x + 40, row.y + row.height / 2);
    CHECK_FALSE(h.server().panel_list->is_open());
    REQUIRE(h.server().focused_view());
    CHECK(h.server().focused_view()->id == wanted);
    CHECK(many.count("button") == 0);

    // Escape closes it too, and the key goes to no client.
    h.click(*overflow_x + 1, strip.y + strip.height / 2);
    REQUIRE(h.server().panel_list->is_open());
    h.tap_key(KEY_ESC);
    CHECK_FALSE(h.server().panel_list->is_open());
    CHECK(many.count("key", {{"key", std::to_string(KEY_ESC)}}) == 0);
}
