// A12: a level's socket cannot be stolen, replaced or opened to everyone.
#include "levels/listening_socket.hpp"

#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

using namespace rampart;

namespace {

struct TempDir {
    TempDir()
    {
        char pattern[] = "/tmp/rampart-socket-test-XXXXXX";
        path = mkdtemp(pattern);
        chmod(path.c_str(), 0700);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string path;
};

struct Loop {
    Loop() : loop(wl_event_loop_create()) {}
    ~Loop() { wl_event_loop_destroy(loop); }
    wl_event_loop *loop;
};

bool can_connect(const std::string &path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    bool ok = connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

} // namespace

TEST_CASE("a socket is created with its mode and accepts connections", "[sockets]")
{
    TempDir dir;
    Loop loop;
    std::string error;
    int accepted = 0;
    auto socket = ListeningSocket::create(
        loop.loop, {dir.path + "/level", "", "", 0660},
        [&](int fd) {
            ++accepted;
            close(fd);
        },
        error);
    REQUIRE(socket);
    struct stat info {};
    REQUIRE(stat((dir.path + "/level").c_str(), &info) == 0);
    CHECK(S_ISSOCK(info.st_mode));
    CHECK((info.st_mode & 0777) == 0660);
    CHECK(can_connect(dir.path + "/level"));
    wl_event_loop_dispatch(loop.loop, 1000);
    CHECK(accepted == 1);
    socket.reset();
    CHECK_FALSE(std::filesystem::exists(dir.path + "/level"));
    CHECK_FALSE(std::filesystem::exists(dir.path + "/level.lock"));
}

TEST_CASE("a second instance cannot take a socket in use", "[sockets]")
{
    TempDir dir;
    Loop loop;
    std::string error;
    auto first = ListeningSocket::create(
        loop.loop, {dir.path + "/level", "", "", 0600}, [](int fd) { close(fd); }, error);
    REQUIRE(first);
    auto second = ListeningSocket::create(
        loop.loop, {dir.path + "/level", "", "", 0600}, [](int fd) { close(fd); }, error);
    CHECK_FALSE(second);
    CHECK(error.find("in use") != std::string::npos);
    CHECK(can_connect(dir.path + "/level")); // the first one still has it
}

TEST_CASE("a stale socket of a crashed instance is replaced", "[sockets]")
{
    TempDir dir;
    Loop loop;
    std::string error;
    {
        int stale = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, (dir.path + "/level").c_str(), sizeof address.sun_path - 1);
        REQUIRE(bind(stale, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        close(stale); // no lock held: its owner is gone
    }
    auto socket = ListeningSocket::create(
        loop.loop, {dir.path + "/level", "", "", 0600}, [](int fd) { close(fd); }, error);
    REQUIRE(socket);
    CHECK(can_connect(dir.path + "/level"));
}

TEST_CASE("unsafe places and modes are refused", "[sockets]")
{
    TempDir dir;
    Loop loop;
    std::string error;
    auto noop = [](int fd) { close(fd); };

    CHECK_FALSE(
        ListeningSocket::create(loop.loop, {dir.path + "/open", "", "", 0666}, noop, error));
    CHECK(error.find("every user") != std::string::npos);

    std::string shared = dir.path + "/shared";
    mkdir(shared.c_str(), 0777);
    chmod(shared.c_str(), 0777);
    CHECK_FALSE(ListeningSocket::create(loop.loop, {shared + "/level", "", "", 0600}, noop, error));
    CHECK(error.find("writable by others") != std::string::npos);

    std::string link = dir.path + "/link";
    std::filesystem::create_directory_symlink(dir.path, link);
    CHECK_FALSE(ListeningSocket::create(loop.loop, {link + "/level", "", "", 0600}, noop, error));
    CHECK(error.find("symbolic link") != std::string::npos);

    CHECK_FALSE(ListeningSocket::create(loop.loop, {"relative/level", "", "", 0600}, noop, error));
    CHECK_FALSE(ListeningSocket::create(
        loop.loop, {dir.path + "/level", "no-such-user-xyz", "", 0600}, noop, error));
    CHECK(error.find("no such user") != std::string::npos);
}

TEST_CASE("a missing directory is created private to its owner", "[sockets]")
{
    TempDir dir;
    Loop loop;
    std::string error;
    auto socket = ListeningSocket::create(
        loop.loop, {dir.path + "/levels/level", "", "", 0600}, [](int fd) { close(fd); }, error);
    REQUIRE(socket);
    struct stat info {};
    REQUIRE(stat((dir.path + "/levels").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
}
