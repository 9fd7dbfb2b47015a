// End to end: the real rampart binary, headless, with real clients (weston-simple-shm,
// foot, our test client) and grim reading pixels through the trusted socket. Waits on
// the binary's machine-readable event log (--event-log -).
#include "e2e_session.hpp"

#include <cairo.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace rampart::test;
using namespace std::chrono_literals;

TEST_CASE("rampart serves weston-simple-shm, foot and our client; grim sees them", "[e2e]")
{
    Session session;
    REQUIRE(session.ready);
    // Ours first: the later windows cascade down and right, leaving its corner visible.
    ClientProcess &ours =
        session.start({env_or("RAMPART_TEST_CLIENT", "rampart-test-client"), "--log", "--color",
                       "00ff00", "--size", "200x150", "--title", "ours"});
    REQUIRE(session.wait({&ours}, [&] { return session.mapped() == 1; }));
    ClientProcess &shm = session.start({"weston-simple-shm"});
    ClientProcess &foot =
        session.start({"foot", "--title", "e2e foot", "sh", "-c", "echo ready; exec sleep 60"});
    REQUIRE(session.wait({&shm, &foot, &ours}, [&] { return session.mapped() == 3; }));
    auto ours_mapped = session.rampart->last("view_mapped", {{"title", "ours"}});
    REQUIRE(ours_mapped);
    auto foot_mapped = session.rampart->last("view_mapped", {{"app_id", "foot"}});
    REQUIRE(foot_mapped);
    CHECK((*foot_mapped)["title"] == "e2e foot");
    // Let every client paint once more after mapping.
    size_t commits = session.rampart->count("output_commit");
    REQUIRE(
        session.wait({}, [&] { return session.rampart->count("output_commit") > commits + 3; }));

    std::string png = session.dir + "/shot.png";
    ClientProcess &grim = session.start({"grim", png}, session.trusted);
    REQUIRE(session.wait({&grim}, [&] { return grim.exited(); }));
    REQUIRE(grim.exit_code() == 0);
    Png image(png);
    REQUIRE(image.ok());
    CHECK(image.width() == 1280);
    int x = std::stoi((*ours_mapped)["x"]), y = std::stoi((*ours_mapped)["y"]);
    CHECK(image.rgb(x + 5, y + 5) == 0x00ff00);
    CHECK(image.rgb(x + 20, y + 20) == 0x00ff00);
    std::filesystem::copy_file(png, env_or("RAMPART_TEST_OUT", "/tmp") + "/e2e-three-clients.png",
                               std::filesystem::copy_options::overwrite_existing);
}

TEST_CASE("grim on the ordinary socket cannot capture the screen", "[e2e][policy]")
{
    Session session;
    REQUIRE(session.ready);
    std::string png = session.dir + "/stolen.png";
    ClientProcess &grim = session.start({"grim", png});
    REQUIRE(session.wait({&grim}, [&] { return grim.exited(); }));
    CHECK(grim.exit_code() != 0);
    CHECK_FALSE(std::filesystem::exists(png));
}

TEST_CASE("a bad config is refused at start with path:line:col and exit code 2", "[e2e][config]")
{
    char pattern[] = "/tmp/rampart-e2e-XXXXXX";
    std::string dir = mkdtemp(pattern);
    std::string path = dir + "/bad.toml";
    std::ofstream(path) << "[keyboard]\nlayout = \"us\"\nrepeat_rate = 500\n";
    ClientProcess rampart({env_or("RAMPART_BINARY", "rampart"), "--headless", "--config", path,
                           "--user-config", dir + "/none.toml"},
                          "", true);
    REQUIRE(wait_for(
        {&rampart}, [&] { return rampart.exited(); }, 10000ms));
    CHECK(rampart.exit_code() == 2);
    bool found = false;
    for (const std::string &line : rampart.lines())
        found |= line.rfind(path + ":3:", 0) == 0;
    CHECK(found);
    std::filesystem::remove_all(dir);
}

TEST_CASE("SIGHUP reloads the config; a broken one leaves the old in force", "[e2e][config]")
{
    Session session({}, "[keyboard]\nrepeat_rate = 30\n");
    REQUIRE(session.ready);
    std::ofstream(session.config_path) << "[keyboard]\nrepeat_rate = 40\n";
    session.rampart->signal(SIGHUP);
    REQUIRE(session.wait({}, [&] {
        return session.rampart->count("config_reloaded") == 1 || session.rampart->exited();
    }));
    INFO("rampart exit code " << session.rampart->exit_code());
    REQUIRE_FALSE(session.rampart->exited());

    std::ofstream(session.config_path) << "[keyboard]\nrepeat_rate = \"fast\"\n";
    session.rampart->signal(SIGHUP);
    REQUIRE(session.wait({}, [&] { return session.rampart->count("config_error") == 1; }));
    auto error = *session.rampart->last("config_error");
    CHECK(error["message"].rfind(session.config_path + ":2:", 0) == 0);
    // Still running and serving clients.
    ClientProcess &client =
        session.start({env_or("RAMPART_TEST_CLIENT", "rampart-test-client"), "--log"});
    REQUIRE(session.wait({&client}, [&] { return session.mapped() == 1; }));
}

TEST_CASE("an idle desktop with a minute clock commits no frame for 10 s", "[e2e][idle]")
{
    Session session;
    REQUIRE(session.ready);
    ClientProcess &client =
        session.start({env_or("RAMPART_TEST_CLIENT", "rampart-test-client"), "--log"});
    REQUIRE(session.wait({&client}, [&] { return session.mapped() == 1; }));
    // The panel's minute clock legitimately redraws once a minute: start the quiet period
    // early in a minute so 10 s fit before the next one.
    auto second_of_minute = [] {
        time_t now = time(nullptr);
        tm local{};
        localtime_r(&now, &local);
        return local.tm_sec;
    };
    if (second_of_minute() > 45)
        REQUIRE(session.wait(
            {&client}, [&] { return second_of_minute() < 45; }, 20000ms));
    // Wait for the frames that follow the map to settle: none for 300 ms.
    size_t seen = 0;
    auto quiet_since = std::chrono::steady_clock::now();
    REQUIRE(session.wait({&client}, [&] {
        size_t now = session.rampart->count("output_commit");
        if (now != seen) {
            seen = now;
            quiet_since = std::chrono::steady_clock::now();
        }
        return std::chrono::steady_clock::now() - quiet_since > 300ms;
    }));
    REQUIRE(second_of_minute() < 49);
    size_t before = session.rampart->count("output_commit");
    size_t redraws_before = session.rampart->count("panel_redraw");
    // The property under test is an absence over time, so this waits out the full period.
    session.wait(
        {&client}, [] { return false; }, 10000ms);
    CHECK(session.rampart->count("output_commit") == before);
    CHECK(session.rampart->count("panel_redraw") == redraws_before);
}

TEST_CASE("inside a Wayland session rampart opens as a nested window", "[e2e][nested]")
{
    Session outer;
    REQUIRE(outer.ready);
    // No --headless: the backend is chosen from the environment (WAYLAND_DISPLAY here).
    // Its own runtime dir (its sockets must not collide with the outer one's, whose locks
    // would refuse it), reaching the outer compositor by absolute socket path.
    std::string inner_dir = outer.dir + "/inner";
    std::filesystem::create_directory(inner_dir);
    chmod(inner_dir.c_str(), 0700);
    setenv("WLR_RENDERER", "pixman", 1);
    setenv("XDG_RUNTIME_DIR", inner_dir.c_str(), 1);
    ClientProcess &inner = outer.start(
        {env_or("RAMPART_BINARY", "rampart"), "--config", outer.config_path, "--user-config",
         outer.dir + "/user.toml", "--event-log", "-", "--socket", "rampart-nested-test"},
        outer.dir + "/" + outer.socket);
    setenv("XDG_RUNTIME_DIR", outer.dir.c_str(), 1);
    unsetenv("WLR_RENDERER");
    REQUIRE(outer.wait({&inner}, [&] { return inner.count("ready") > 0 || inner.exited(); }));
    REQUIRE(inner.count("ready") == 1);
    REQUIRE(outer.wait({&inner}, [&] {
        return outer.rampart->count("view_mapped", {{"app_id", "wlroots"}}) == 1;
    }));
    // The nested session serves its own clients.
    ClientProcess &client =
        outer.start({env_or("RAMPART_TEST_CLIENT", "rampart-test-client"), "--log"},
                    inner_dir + "/rampart-nested-test");
    REQUIRE(outer.wait({&inner, &client}, [&] { return inner.count("view_mapped") == 1; }));
    CHECK(outer.rampart->count("view_mapped") == 1);
}
