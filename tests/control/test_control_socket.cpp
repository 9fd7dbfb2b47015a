// The control socket on a real wl_event_loop: requests, replies, and where it may live.
#include "control_test_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using namespace rampart;
using namespace rampart::test;
using Words = std::vector<std::string>;

namespace {

mode_t mode_of(const std::string &path)
{
    struct stat info {};
    REQUIRE(lstat(path.c_str(), &info) == 0);
    return info.st_mode;
}

std::string refusal(Loop &loop, const std::string &path)
{
    Recorder recorder;
    std::string error;
    auto socket = control::ControlSocket::create(loop.get(), path, recorder.handler(), &error);
    CHECK_FALSE(socket);
    CHECK_FALSE(error.empty());
    return error;
}

} // namespace

TEST_CASE("a request reaches the handler and its reply comes back", "[control]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    recorder.replies["status"] = "ok locked=no clients=1";
    auto socket = make_socket(loop, dir.path + "/rampart/wayland-1.control", recorder);

    RawClient client(loop, socket->path());
    REQUIRE(client.connected());
    CHECK(client.request(loop, "status") == "ok locked=no clients=1");
    REQUIRE(recorder.calls == std::vector<Words>{{"status"}});
    CHECK(recorder.peers[0].pid == getpid());
    CHECK(recorder.peers[0].uid == geteuid());
    CHECK(recorder.peers[0].gid == getegid());
    CHECK(socket->client_count() == 1);
}

TEST_CASE("several requests on one connection, one at a time or all at once", "[control]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    recorder.replies["status"] = "ok fine";
    recorder.replies["nope"] = "error: no such command";
    auto socket = make_socket(loop, dir.path + "/rampart/x.control", recorder);

    RawClient client(loop, socket->path());
    CHECK(client.request(loop, "lock") == "ok");
    CHECK(client.request(loop, "status") == "ok fine");
    CHECK(client.request(loop, "nope") == "error: no such command");
    CHECK(client.request(loop, "lock  now") == "ok");
    CHECK(recorder.calls.back() == Words{"lock", "now"});

    // Pipelined in one write: answered in order.
    REQUIRE(client.send(loop, "status\nlock\nnope\n"));
    REQUIRE(loop.run_until([&] {
        client.read_available();
        return client.lines().size() == 7;
    }));
    auto lines = client.lines();
    CHECK(Words(lines.begin() + 4, lines.end()) ==
          Words{"ok fine", "ok", "error: no such command"});
    CHECK(recorder.calls.size() == 7);
    CHECK_FALSE(recorder.saw_malformed);
}

TEST_CASE("a handler's bad reply or exception becomes an error reply", "[control]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    recorder.replies["multi"] = "ok line one\nline two";
    recorder.replies["bare"] = "done";
    auto socket = control::ControlSocket::create(
        loop.get(), dir.path + "/r/c",
        [&](const Words &words, const control::Peer &peer) -> std::string {
            if (words[0] == "throw")
                throw std::runtime_error("boom");
            return recorder.handler()(words, peer);
        },
        nullptr);
    REQUIRE(socket);
    RawClient client(loop, socket->path());
    CHECK(client.request(loop, "multi") == "ok line one?line two");
    CHECK(client.request(loop, "bare") == "error: internal error");
    CHECK(client.request(loop, "throw") == "error: internal error");
    CHECK(client.request(loop, "lock") == "ok");
}

TEST_CASE("the directory is 0700 and the socket 0600; both are cleaned up", "[control]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    std::string directory = dir.path + "/rampart";
    std::string path = control::default_control_path(dir.path, "wayland-3");
    CHECK(path == directory + "/wayland-3.control");
    mode_t old_umask = umask(0);
    auto socket = make_socket(loop, path, recorder);
    umask(old_umask);
    CHECK(S_ISDIR(mode_of(directory)));
    CHECK((mode_of(directory) & 07777) == 0700);
    CHECK(S_ISSOCK(mode_of(path)));
    CHECK((mode_of(path) & 07777) == 0600);

    // A second server on the same path is refused, and the first keeps working.
    CHECK(refusal(loop, path).find("already") != std::string::npos);
    CHECK(responsive(loop, path));

    socket.reset();
    CHECK(access(path.c_str(), F_OK) != 0);
    // The directory stays (0700, ours) and is reused.
    socket = make_socket(loop, path, recorder);
    CHECK(responsive(loop, path));
}

TEST_CASE("a stale socket from an earlier run is replaced", "[control]")
{
    TempDir dir;
    Loop loop;
    Recorder recorder;
    std::string directory = dir.path + "/rampart";
    REQUIRE(mkdir(directory.c_str(), 0700) == 0);
    std::string path = directory + "/w.control";
    {
        control::UniqueFd stale(socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path.c_str());
        REQUIRE(bind(stale.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    }
    auto socket = make_socket(loop, path, recorder);
    CHECK(responsive(loop, path));
}

TEST_CASE("an unsafe directory or path is refused", "[control]")
{
    TempDir dir;
    Loop loop;
    std::string directory = dir.path + "/rampart";
    std::string path = directory + "/w.control";

    SECTION("world-writable")
    {
        REQUIRE(mkdir(directory.c_str(), 0700) == 0);
        REQUIRE(chmod(directory.c_str(), 0777) == 0);
        CHECK(refusal(loop, path).find("group or others") != std::string::npos);
    }
    SECTION("group-readable")
    {
        REQUIRE(mkdir(directory.c_str(), 0750) == 0);
        REQUIRE(chmod(directory.c_str(), 0750) == 0);
        CHECK(refusal(loop, path).find("group or others") != std::string::npos);
    }
    SECTION("a symlink to a good directory")
    {
        std::string real = dir.path + "/real";
        REQUIRE(mkdir(real.c_str(), 0700) == 0);
        REQUIRE(symlink(real.c_str(), directory.c_str()) == 0);
        CHECK(refusal(loop, path).find("symbolic link") != std::string::npos);
        CHECK(access((real + "/w.control").c_str(), F_OK) != 0);
    }
    SECTION("a regular file where the directory should be")
    {
        control::UniqueFd file(open(directory.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        CHECK(refusal(loop, path).find("not a directory") != std::string::npos);
    }
    SECTION("a regular file where the socket should be")
    {
        REQUIRE(mkdir(directory.c_str(), 0700) == 0);
        control::UniqueFd file(open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        CHECK(refusal(loop, path).find("not a socket") != std::string::npos);
        CHECK(access(path.c_str(), F_OK) == 0); // left alone
    }
    SECTION("another user's directory")
    {
        if (geteuid() != 0) {
            WARN("skipped: needs root to make a directory owned by another user");
            return;
        }
        REQUIRE(mkdir(directory.c_str(), 0700) == 0);
        REQUIRE(chown(directory.c_str(), 65534, 65534) == 0);
        CHECK(refusal(loop, path).find("another user") != std::string::npos);
    }
    SECTION("relative or too long")
    {
        refusal(loop, "relative/w.control");
        refusal(loop, "/w.control");
        refusal(loop, dir.path + "/" + std::string(200, 'd') + "/w.control");
    }
}
