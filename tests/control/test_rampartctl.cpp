// The real rampartctl binary against a ControlSocket on this test's event loop.
#include "control_test_support.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using namespace rampart;
using namespace rampart::test;
using Words = std::vector<std::string>;

TEST_CASE("rampartctl lock reaches the handler and exits 0", "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    auto socket = make_socket(loop, dir.path + "/rampart/wayland-1.control", recorder);

    Run run = run_rampartctl(loop, {"--socket", socket->path(), "lock"}, {});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "ok\n");
    REQUIRE(recorder.calls == std::vector<Words>{{"lock"}});
    CHECK(recorder.peers[0].uid == geteuid());
    CHECK(recorder.peers[0].pid != getpid());

    run = run_rampartctl(loop, {"--socket=" + socket->path(), "status"}, {});
    CHECK(run.exit_code == 0);
    CHECK(recorder.calls.back() == Words{"status"});
}

TEST_CASE("rampartctl prints the server's reply; an error reply exits 1", "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    recorder.replies["status"] = "ok locked=no levels=3";
    recorder.replies["lock"] = "error: already locked";
    auto socket = make_socket(loop, dir.path + "/rampart/wayland-1.control", recorder);

    Run run = run_rampartctl(loop, {"status"}, {"RAMPART_CONTROL_SOCKET=" + socket->path()});
    CHECK(run.exit_code == 0);
    CHECK(run.out == "ok locked=no levels=3\n");

    run = run_rampartctl(loop, {"lock"}, {"RAMPART_CONTROL_SOCKET=" + socket->path()});
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == "error: already locked\n");
}

TEST_CASE("rampartctl finds the socket from XDG_RUNTIME_DIR and WAYLAND_DISPLAY",
          "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    Recorder named_calls, fallback_calls;
    auto named =
        make_socket(loop, control::default_control_path(dir.path, "wayland-7"), named_calls);
    auto fallback =
        make_socket(loop, control::default_control_path(dir.path, "wayland-0"), fallback_calls);

    Run run = run_rampartctl(loop, {"lock"},
                             {"XDG_RUNTIME_DIR=" + dir.path, "WAYLAND_DISPLAY=wayland-7"});
    CHECK(run.exit_code == 0);
    CHECK(named_calls.calls.size() == 1);

    run = run_rampartctl(loop, {"lock"}, {"XDG_RUNTIME_DIR=" + dir.path});
    CHECK(run.exit_code == 0);
    CHECK(fallback_calls.calls.size() == 1);

    // --socket wins over the environment, which wins over the default.
    run = run_rampartctl(loop, {"--socket", named->path(), "lock"},
                         {"RAMPART_CONTROL_SOCKET=/nonexistent", "XDG_RUNTIME_DIR=/nonexistent"});
    CHECK(run.exit_code == 0);
    run = run_rampartctl(loop, {"lock"},
                         {"RAMPART_CONTROL_SOCKET=" + named->path(), "XDG_RUNTIME_DIR=/none"});
    CHECK(run.exit_code == 0);
    CHECK(named_calls.calls.size() == 3);
    CHECK(fallback_calls.calls.size() == 1);
}

TEST_CASE("rampartctl without a server exits 2 and says why", "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    std::string path = dir.path + "/rampart/wayland-1.control";
    Run run = run_rampartctl(loop, {"--socket", path, "lock"}, {});
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.find("rampartctl: cannot reach Rampart at " + path + ": ") == 0);

    run = run_rampartctl(loop, {"lock"}, {});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("XDG_RUNTIME_DIR") != std::string::npos);
}

TEST_CASE("rampartctl gives up after 5 seconds when nobody answers", "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    // Listens but never accepts: the connection succeeds, no reply ever comes.
    std::string path = dir.path + "/mute";
    control::UniqueFd mute(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(bind(mute.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    REQUIRE(listen(mute.get(), 4) == 0);

    auto start = std::chrono::steady_clock::now();
    Run run = run_rampartctl(loop, {"--socket", path, "status"}, {});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("cannot reach Rampart at " + path) != std::string::npos);
    CHECK(took >= 4500ms);
    CHECK(took < 10s);
}

TEST_CASE("rampartctl only sends the commands it knows", "[control][rampartctl]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    auto socket = make_socket(loop, dir.path + "/rampart/c", recorder);
    std::string option = "--socket=" + socket->path();

    for (const std::vector<std::string> &args :
         std::vector<std::vector<std::string>>{{option, "reboot"},
                                               {option, "lock", "now"},
                                               {option},
                                               {option, "--frobnicate", "lock"},
                                               {"--socket"},
                                               {option, "lock\nstatus"},
                                               {option, ""}}) {
        Run run = run_rampartctl(loop, args, {});
        INFO(args.back());
        CHECK(run.exit_code == 2);
        CHECK(run.err.find("rampartctl: ") == 0);
    }
    CHECK(recorder.calls.empty());

    Run help = run_rampartctl(loop, {"--help"}, {});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("lock ") != std::string::npos);
    CHECK(help.out.find("lock the screen now") != std::string::npos);
    CHECK(help.out.find("status ") != std::string::npos);
    CHECK(help.out.find("--socket PATH") != std::string::npos);
}
