// Issue 2 acceptance: clients that break the rules are disconnected; others carry on.
#include "harness.hpp"

#include <catch2/catch.hpp>
#include <linux/input-event-codes.h>

using namespace rampart;
using namespace rampart::test;

namespace {
// The well-behaved client still maps and gets keyboard input.
void check_other_client_works(Harness &h)
{
    ClientProcess &good = h.start_client({"--title", "good"});
    REQUIRE(h.wait_for_view(good));
    REQUIRE(h.wait_until([&] { return good.count("keyboard_enter") > 0; }));
    h.tap_key(KEY_G);
    REQUIRE(h.wait_until([&] { return good.count("key", {{"sym", "g"}}) == 2; }));
}
} // namespace

TEST_CASE("a surface over the maximum size gets its client disconnected", "[hostile][limits]")
{
    Harness h({.config_text = "[window]\nmax_width = 1000\nmax_height = 800\n"});
    ClientProcess &greedy = h.start_client({"--request-size", "1200x900"});
    REQUIRE(h.wait_until([&] { return greedy.exited(); }));
    CHECK(greedy.exit_code() == 3);
    CHECK(greedy.count("disconnected") == 1);
    check_other_client_works(h);
}

TEST_CASE("the default maximum is 16384x16384", "[hostile][limits]")
{
    Harness h;
    CHECK(h.server().config.window.max_width == 16384);
    CHECK(h.server().config.window.max_height == 16384);
}

TEST_CASE("a client that breaks the protocol is disconnected and others carry on", "[hostile]")
{
    Harness h;
    ClientProcess &bad = h.start_client({"--protocol-error"});
    REQUIRE(h.wait_until([&] { return bad.exited(); }));
    CHECK(bad.exit_code() == 3);
    CHECK(bad.count("disconnected") == 1);
    check_other_client_works(h);
}

TEST_CASE("a client that dies mid-session leaves the others working", "[hostile]")
{
    Harness h;
    ClientProcess &doomed = h.start_client({"--windows", "3"});
    REQUIRE(h.wait_for_view(doomed, 2));
    doomed.kill_now();
    REQUIRE(h.wait_until([&] { return h.server().focus_order.empty(); }));
    check_other_client_works(h);
}

TEST_CASE("ordinary clients cannot see or bind capture globals", "[hostile][policy]")
{
    Harness h;
    ClientProcess &client = h.start_client({});
    REQUIRE(h.wait_until([&] { return client.count("globals") > 0; }));
    std::string names = (*client.last("globals"))["names"];
    CHECK(names.find("xdg_wm_base") != std::string::npos);
    CHECK(names.find("zwlr_screencopy_manager_v1") == std::string::npos);
}
