// Issue 5 end to end: the real rampart binary and its real broker. Killed while locked, it
// comes back locked; a trusted client's virtual keyboard cannot type at the lock screen;
// rampartctl locks and reports.
#include "e2e_session.hpp"
#include "support/memory_scan.hpp"
#include "support/pam_fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace rampart::test;

namespace {
constexpr uint32_t lock_background = 0x101216;
const std::string socket_name = "wayland-e2e-lock";

std::vector<std::string> lock_args()
{
    return {"--socket", socket_name, "--authd", env_or("RAMPART_AUTHD", "rampart-authd")};
}

// Runs rampartctl against the session; returns its exit code (and its output lines).
int rampartctl(Session &session, const std::string &command, std::string *output = nullptr)
{
    std::string control = session.dir + "/rampart/" + socket_name + ".control";
    ClientProcess &ctl =
        session.start({env_or("RAMPARTCTL", "rampartctl"), "--socket", control, command});
    if (!session.wait({&ctl}, [&] { return ctl.exited(); }))
        return -1;
    if (output)
        for (const std::string &line : ctl.lines())
            *output += line + "\n";
    return ctl.exit_code();
}

// grim on the trusted socket: the whole output, as the user would see it.
bool top_strip_is_lock(Session &session)
{
    std::string png = session.dir + "/lock.png";
    ClientProcess &grim = session.start({"grim", png}, session.trusted);
    if (!session.wait({&grim}, [&] { return grim.exited(); }) || grim.exit_code() != 0)
        return false;
    Png image(png);
    if (!image.ok())
        return false;
    for (int x = 100; x < image.width() - 100; x += 7)
        for (int y = 0; y < 28; y += 3)
            if (image.rgb(x, y) != lock_background)
                return false;
    return true;
}
} // namespace

TEST_CASE("killed with SIGKILL while locked, rampart comes back locked", "[e2e][lock]")
{
    SecretPage password(16);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    char pattern[] = "/tmp/rampart-e2e-lock-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    std::string dir = pattern;
    {
        Session first(lock_args(), "", dir);
        REQUIRE(first.ready);
        std::string status;
        REQUIRE(rampartctl(first, "status", &status) == 0);
        CHECK(status.find("locked=no") != std::string::npos);
        REQUIRE(rampartctl(first, "lock") == 0);
        REQUIRE(first.wait({}, [&] { return first.rampart->count("locked_shown") == 1; }));
        CHECK(first.rampart->count("lock", {{"reason", "rampartctl"}}) == 1);
        CHECK(top_strip_is_lock(first));
        kill(first.rampart->pid(), SIGKILL);
        REQUIRE(first.wait({}, [&] { return first.rampart->exited(); }));
    }
    {
        Session second(lock_args(), "", dir);
        REQUIRE(second.ready);
        CHECK(second.rampart->count("lock", {{"reason", "restart"}}) == 1);
        REQUIRE(second.wait({}, [&] { return second.rampart->count("lock_prompt") >= 1; }));
        CHECK(top_strip_is_lock(second));
        std::string status;
        REQUIRE(rampartctl(second, "status", &status) == 0);
        CHECK(status.find("locked=yes") != std::string::npos);

        // A trusted client's virtual keyboard is ignored: even the right password does nothing.
        ClientProcess &wtype =
            second.start({"wtype", std::string(password.text()), "-k", "Return"}, second.trusted);
        REQUIRE(second.wait({&wtype}, [&] { return wtype.exited(); }));
        CHECK(wtype.exit_code() == 0); // it got its keys through; wtype ends on a round trip
        // Had the keys reached the lock screen, the broker would have answered within this.
        CHECK_FALSE(second.wait(
            {},
            [&] {
                return second.rampart->count("unlocked") + second.rampart->count("auth_failed") > 0;
            },
            3000ms));
        status.clear();
        REQUIRE(rampartctl(second, "status", &status) == 0);
        CHECK(status.find("locked=yes") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
