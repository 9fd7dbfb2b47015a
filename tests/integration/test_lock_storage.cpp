// Issue 6 through the lock screen: the password that PAM accepts must also open the user's
// LUKS2 volumes, or the screen stays locked and says which volume and why. Real broker, real
// PAM, real LUKS2 image files (checked against their keyslots: no device-mapper here, so the
// broker runs with RAMPART_STORAGE_VERIFY_ONLY=1; the VM test covers the real device).
#include "support/scoped_env.hpp"
#include "lock_fixtures.hpp"
#include "luks_image.hpp"
#include "support/memory_scan.hpp"
#include "support/fake_logind.hpp"
#include "support/pam_fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>

using namespace rampart;
using namespace rampart::test;

namespace {
// Sets an environment variable for the processes started while it lives.
std::string volume_config(const std::string &image, const char *on_lock)
{
    return std::string("[storage]\non_lock = \"") + on_lock + "\"\nuser = \"" +
           current_user_name() + "\"\n[[volume]]\nname = \"home\"\n" + "device = \"" + image +
           "\"\n";
}
// A LUKS2 image whose passphrase is the PAM password; the broker checks it against the
// keyslots without opening anything (no device-mapper here).
struct HomeVolume {
    ScopedEnv verify_only{"RAMPART_STORAGE_VERIFY_ONLY", "1"};
    SecretPage password{16};
    PamFixture pam;
    storage::test::TempDir dir;
    std::string image = dir.file("home.img");
    explicit HomeVolume(const std::string &stack = PamFixture::matrix_stack)
        : pam(password.view(), stack)
    {
        storage::test::format_luks2(image, password.text());
    }
};
} // namespace

TEST_CASE("the password must open the volumes too, or the screen stays locked", "[lock][storage]")
{
    ScopedEnv verify_only("RAMPART_STORAGE_VERIFY_ONLY", "1");
    SecretPage password(16);
    PamFixture pam(password.view(), PamFixture::matrix_stack);
    storage::test::TempDir dir;
    std::string image = dir.file("home.img");
    const bool same = GENERATE(true, false);
    storage::test::format_luks2(image, same ? password.text() : "another passphrase");

    Harness h({.config_text = volume_config(image, "keep")});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    answer(h, password.text());
    if (same) {
        REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
    } else {
        REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == 1; }));
        CHECK(h.server().locked());
        const std::string &message = h.server().lock_screen->controller().message();
        INFO(message);
        CHECK(message.find("home") != std::string::npos);
        CHECK(message.find("does not open") != std::string::npos);
        h.capture(0).write_png(Harness::artefact_path("lock-volume-refused.png"));
    }
}

TEST_CASE("with the suspend policy the volumes are locked before the first prompt",
          "[lock][storage]")
{
    HomeVolume home;
    Harness h({.config_text = volume_config(home.image, "suspend")});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    const auto &events = h.server_events();
    auto index_of = [&](const std::string &name) {
        for (size_t i = 0; i < events.size(); ++i)
            if (events[i].at("event") == name)
                return i;
        return events.size();
    };
    REQUIRE(index_of("storage_locked") < index_of("lock_prompt"));
    CHECK(h.server_event_count("storage_locked", {{"ok", "true"}}) == 1);
    answer(h, home.password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("a broker lost after an answer: storage is locked again before the next prompt",
          "[lock][storage]")
{
    // The killed check may have resumed the volumes just before its success was lost.
    HomeVolume home("auth required @MATRIX@\nauth required @TEST@ sleep_ms=8000\n"
                    "account required @MATRIX@\n");
    Harness h({.config_text = volume_config(home.image, "suspend")});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    REQUIRE(h.server_event_count("storage_locked") == 1);
    answer(h, home.password.text());
    REQUIRE(h.server().lock_screen->controller().phase() == lockscreen::Phase::checking);
    REQUIRE(kill(h.server().lock_screen->broker_pid(), SIGKILL) == 0);
    home.pam.set_stack(PamFixture::matrix_stack);
    REQUIRE(wait_lock_ready(h, 2));
    CHECK(h.server_event_count("storage_locked") == 2);
    answer(h, home.password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("logind's Unlock, even when allowed, does not unlock over suspended storage",
          "[lock][storage][logind]")
{
    HomeVolume home;
    PrivateBus bus;
    FakeLogind logind(bus.address());
    Harness h({.config_text =
                   "[lock]\nallow_logind_unlock = true\n" + volume_config(home.image, "suspend"),
               .logind_bus = bus.address()});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    logind.emit_unlock(FakeLogind::own_path);
    REQUIRE(h.wait_until([&] {
        return h.server_event_count("logind_unlock_refused", {{"reason", "storage"}}) == 1;
    }));
    CHECK(h.server().locked());
    // The password opens both.
    answer(h, home.password.text());
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }));
}

TEST_CASE("rampartctl storage status asks the broker", "[storage][control]")
{
    ScopedEnv verify_only("RAMPART_STORAGE_VERIFY_ONLY", "1");
    storage::test::TempDir dir;
    std::string image = dir.file("home.img");
    storage::test::format_luks2(image, "passphrase");
    std::string config = dir.file("rampart.toml");
    // A volume of another account: not this user's to see, suspend or open.
    std::ofstream(config) << volume_config(image, "suspend")
                          << "[[volume]]\nname = \"theirs\"\ndevice = \"" << image
                          << ".theirs\"\nuser = \"someone-else\"\n";
    Harness h;
    ClientProcess &ctl = h.start_program({getenv("RAMPARTCTL"), "storage", "status", "--config",
                                          config, "--authd", getenv("RAMPART_AUTHD")});
    REQUIRE(h.wait_until([&] { return ctl.exited(); }, 15000ms));
    std::string output;
    for (const std::string &line : ctl.lines())
        output += line + "\n";
    INFO(output);
    CHECK(ctl.exit_code() == 0);
    CHECK(output.find("home (" + image + "): inactive, on lock: suspend") != std::string::npos);
    CHECK(output.find("no enrolled tokens") != std::string::npos);
    CHECK(output.find("theirs") == std::string::npos);
}
