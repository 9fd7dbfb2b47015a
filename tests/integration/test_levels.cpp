// Issue 3: a window's level comes from the socket its client connected to, never from the
// client, and is shown in a frame no client can paint over.
#include "harness.hpp"
#include "level_fixtures.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

namespace {

struct Edges {
    wm::Box left, right, bottom;
};
Edges frame_edges(View &view)
{
    wm::Box content = view.content_box(), outer = view.outer_box();
    return {{outer.x, content.y, content.x - outer.x, content.height},
            {content.x + content.width, content.y,
             outer.x + outer.width - content.x - content.width, content.height},
            {outer.x, content.y + content.height, outer.width,
             outer.y + outer.height - content.y - content.height}};
}

void check_frame_colour(const Image &image, View &view, uint32_t rgb)
{
    Edges edges = frame_edges(view);
    CHECK(image.all_in(edges.left, rgb));
    CHECK(image.all_in(edges.right, rgb));
    CHECK(image.all_in(edges.bottom, rgb));
    // The level label starts the title bar, on the level colour (under its pattern).
    wm::Box outer = view.outer_box();
    int border = view.frame_extents().border;
    CHECK(image.any_in({outer.x + border + 3, outer.y + 3, 16, view.frame_extents().top() - 6}, rgb,
                       6));
}

} // namespace

TEST_CASE("a client's level comes from its socket, whatever it calls itself", "[levels]")
{
    Harness h({.config_text = three_levels});
    ClientProcess &liar = h.start_client_at("public", {"--title", "[SECRET] ● Secret — passwords",
                                                       "--app-id", "secret", "--color", "ffffff"});
    View *view = h.wait_for_view(liar);
    REQUIRE(view);
    CHECK(view->level() == h.level_index("public"));
    CHECK(h.server_event_count("client_connected", {{"level", "public"}}) == 1);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("level-liar.png"));
    check_frame_colour(image, *view, public_rgb);
    CHECK_FALSE(image.any_in(frame_edges(*view).left, secret_rgb, 30));
}

TEST_CASE("a fake frame inside the buffer does not hide the real frame", "[levels][hostile]")
{
    Harness h({.config_text = three_levels});
    ClientProcess &faker = h.start_program_at("public", {hostile_client(), "--fake-frame", "c62828",
                                                         "--color", "eeeeee", "--size", "400x300"});
    REQUIRE(h.wait_until([&] { return faker.count("mapped") > 0 || faker.exited(); }));
    View *view = h.view_by_pid(faker.pid());
    REQUIRE(view);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("level-fake-frame.png"));
    // Its fake secret frame is inside the content; the real public frame surrounds it.
    CHECK(image.any_in(view->content_box(), secret_rgb));
    check_frame_colour(image, *view, public_rgb);
}

TEST_CASE("windows of three levels show three frame colours", "[levels][pixels]")
{
    Harness h({.config_text = three_levels});
    std::vector<std::pair<View *, uint32_t>> views;
    for (auto [level, rgb] : {std::pair{"public", public_rgb}, std::pair{"internal", internal_rgb},
                              std::pair{"secret", secret_rgb}}) {
        ClientProcess &client =
            h.start_client_at(level, {"--size", "300x200", "--color", "202020"});
        View *view = h.wait_for_view(client);
        REQUIRE(view);
        views.push_back({view, rgb});
    }
    // Spread them out so each frame is fully visible.
    for (size_t i = 0; i < views.size(); ++i)
        views[i].first->move_to(40 + static_cast<int>(i) * 400, 100);
    Image image = h.capture();
    image.write_png(Harness::artefact_path("levels-three.png"));
    for (auto &[view, rgb] : views)
        check_frame_colour(image, *view, rgb);
}

TEST_CASE("weston-simple-shm and foot on two levels show two frame colours", "[levels][e2e]")
{
    Harness h({.config_text = three_levels});
    ClientProcess &shm = h.start_program_at("public", {"weston-simple-shm"});
    h.start_program_at("secret", {"foot", "sh", "-c", "exec sleep 60"});
    View *shm_view = nullptr, *foot_view = nullptr;
    REQUIRE(h.wait_until(
        [&] {
            shm_view = h.view_by_pid(shm.pid());
            for (auto &view : h.server().views)
                if (view->mapped() && view->app_id() == "foot")
                    foot_view = view.get();
            return shm_view && foot_view;
        },
        10000ms));
    shm_view->move_to(40, 60);
    foot_view->move_to(400, 60);
    CHECK(shm_view->level() == h.level_index("public"));
    CHECK(foot_view->level() == h.level_index("secret"));
    Image image = h.capture();
    image.write_png(Harness::artefact_path("levels-shm-foot.png"));
    check_frame_colour(image, *shm_view, public_rgb);
    check_frame_colour(image, *foot_view, secret_rgb);
}

TEST_CASE("from a level socket capture and injection are refused; the trusted socket has them",
          "[levels][policy]")
{
    Harness h({.config_text = three_levels});
    std::string out = h.level_socket("public") + ".png";
    ClientProcess &grim = h.start_program_at("public", {"grim", out});
    REQUIRE(h.wait_until([&] { return grim.exited(); }));
    CHECK(grim.exit_code() != 0);
    ClientProcess &wtype = h.start_program_at("public", {"wtype", "x"});
    REQUIRE(h.wait_until([&] { return wtype.exited(); }));
    CHECK(wtype.exit_code() != 0);

    for (const char *interface :
         {"zwlr_screencopy_manager_v1", "zwlr_layer_shell_v1", "zwp_virtual_keyboard_manager_v1",
          "zwlr_data_control_manager_v1", "zwlr_input_inhibit_manager_v1"}) {
        for (const char *how : {"--bind-by-name", "--bind-by-number"}) {
            INFO(interface << " " << how);
            ClientProcess &attack =
                h.start_program_at("secret", {hostile_client(), how, interface});
            REQUIRE(h.wait_until([&] { return attack.exited(); }, 20000ms));
            CHECK(attack.exit_code() == 0); // 0: refused
        }
    }

    std::string trusted_out = h.trusted_socket() + ".png";
    ClientProcess &trusted_grim = h.start_trusted({"grim", trusted_out});
    REQUIRE(h.wait_until([&] { return trusted_grim.exited(); }));
    CHECK(trusted_grim.exit_code() == 0);
}

TEST_CASE("wtype on the trusted socket types into the focused window", "[levels][policy]")
{
    Harness h({.config_text = three_levels});
    ClientProcess &client = h.start_client_at("internal", {});
    REQUIRE(h.wait_for_view(client));
    REQUIRE(h.wait_until([&] { return client.count("keyboard_enter") > 0; }));
    ClientProcess &wtype = h.start_trusted({"wtype", "q"});
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "q"}}) >= 1; }));
    REQUIRE(h.wait_until([&] { return wtype.exited(); }));
    // After the virtual keyboard is gone, the real keyboard still works.
    h.tap_key(KEY_W);
    REQUIRE(h.wait_until([&] { return client.count("key", {{"sym", "w"}}) == 2; }));
}

TEST_CASE("activation tokens from another level are refused", "[levels][activation]")
{
    Harness h({.config_text = std::string(three_levels) + "[window]\ntyping_grace_ms = 0\n"});
    ClientProcess &secret = h.start_client_at("secret", {"--stdin"});
    View *secret_view = h.wait_for_view(secret);
    ClientProcess &attacker = h.start_client_at("public", {"--stdin"});
    View *public_view = h.wait_for_view(attacker);
    REQUIRE((secret_view && public_view));
    REQUIRE(h.server().focused_view() == public_view);
    // The public client makes a token and hands it to the secret window.
    attacker.send("activate-token 1");
    REQUIRE(h.wait_until([&] { return attacker.count("activation_token") > 0; }));
    std::string token = (*attacker.last("activation_token"))["token"];
    secret.send("activate 1 " + token);
    REQUIRE(h.wait_until([&] {
        return h.server_event_count("activation_refused", {{"reason", "level"}}) == 1;
    }));
    CHECK(h.server().focused_view() == public_view);
}

TEST_CASE("a level's window limit applies and Rampart stays responsive", "[levels][limits]")
{
    Harness h({.config_text = three_levels});
    ClientProcess &flood = h.start_program_at(
        "secret", {hostile_client(), "--many-windows", "500", "--size", "64x64"});
    REQUIRE(h.wait_until([&] { return flood.exited(); }, 30000ms));
    CHECK(h.server_event_count("limit_windows", {{"level", "secret"}}) >= 1);
    int secret_windows = 0;
    for (auto &view : h.server().views)
        secret_windows += view->level() == h.level_index("secret");
    CHECK(secret_windows <= 20);

    // The acceptance bound, as a deadline (scaled when run under valgrind).
    auto deadline = std::chrono::steady_clock::now() + scaled(1000ms);
    auto left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
    };
    ClientProcess &other = h.start_client_at("public", {});
    REQUIRE(h.wait_until([&] { return other.count("keyboard_enter") > 0; }, left()));
    h.tap_key(KEY_K);
    REQUIRE(h.wait_until([&] { return other.count("key", {{"sym", "k"}}) == 2; }, left()));
}
