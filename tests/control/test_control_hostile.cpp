// Hostile clients of the control socket: other users, floods, garbage, slow readers. The
// server must stay responsive to a well-behaved client and never pass bad input on.
#include "control_test_support.hpp"

#include <catch2/catch.hpp>

#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>

using namespace rampart;
using namespace rampart::test;
using Words = std::vector<std::string>;

namespace {

struct Fixture {
    TempDir dir;
    Loop loop;
    Recorder recorder;
    std::unique_ptr<control::ControlSocket> socket =
        make_socket(loop, dir.path + "/rampart/wayland-1.control", recorder);
    const std::string &path() const { return socket->path(); }
    bool wait_closed(RawClient &client)
    {
        return loop.run_until([&] {
            client.read_available();
            return client.closed_by_server();
        });
    }
};

// In a child running as nobody: connects, asks to lock, and reports what happened.
int connect_as_nobody(const std::string &path)
{
    if (setgroups(0, nullptr) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
        return 10;
    control::UniqueFd connection(socket(AF_UNIX, SOCK_STREAM, 0));
    int fd = connection.get();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) < 0)
        return 11;
    send(fd, "lock\n", 5, MSG_NOSIGNAL);
    pollfd entry{fd, POLLIN, 0};
    if (poll(&entry, 1, 5000) != 1)
        return 12; // still open: not refused
    char buffer[64];
    ssize_t count = recv(fd, buffer, sizeof buffer, 0);
    return count <= 0 ? 0 : 13; // 0: closed (or reset) without a reply
}

} // namespace

TEST_CASE("a peer of another user is closed without reaching the handler", "[control][hostile]")
{
    if (geteuid() != 0) {
        WARN("skipped: needs root to connect as another user (uid 65534)");
        return;
    }
    Fixture f;
    // Loosened on purpose, to reach the SO_PEERCRED check behind the file modes.
    REQUIRE(chmod(f.dir.path.c_str(), 0711) == 0);
    REQUIRE(chmod((f.dir.path + "/rampart").c_str(), 0711) == 0);
    REQUIRE(chmod(f.path().c_str(), 0666) == 0);

    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        _exit(connect_as_nobody(f.path()));
    int status = 0;
    REQUIRE(f.loop.run_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 10s));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(f.recorder.calls.empty());
    CHECK(f.socket->client_count() == 0);
    CHECK(responsive(f.loop, f.path()));
}

TEST_CASE("an over-long line closes that client only", "[control][hostile]")
{
    Fixture f;
    RawClient good(f.loop, f.path());
    CHECK(good.request(f.loop, "lock") == "ok");

    std::string longest(control::max_line - 1, 'a');
    RawClient edge(f.loop, f.path());
    CHECK(edge.request(f.loop, longest) == "ok");
    CHECK(f.recorder.calls.back() == Words{longest});

    RawClient with_newline(f.loop, f.path());
    REQUIRE(with_newline.send(f.loop, longest + "a\n"));
    CHECK(f.wait_closed(with_newline));

    RawClient endless(f.loop, f.path());
    endless.send(f.loop, std::string(100000, 'b')); // may fail once the server closes
    CHECK(f.wait_closed(endless));
    CHECK(endless.lines().empty());

    CHECK(f.recorder.calls.size() == 2);
    CHECK(good.request(f.loop, "status") == "ok");
    CHECK(f.socket->client_count() == 2);
}

TEST_CASE("1000 requests without reading the replies", "[control][hostile]")
{
    Fixture f;
    std::string thousand;
    for (int i = 0; i < 1000; ++i)
        thousand += "status\n";

    SECTION("short replies fit in the socket: all answered, in order")
    {
        RawClient flood(f.loop, f.path());
        REQUIRE(flood.send(f.loop, thousand));
        REQUIRE(f.loop.run_until([&] { return f.recorder.calls.size() == 1000; }));
        CHECK(responsive(f.loop, f.path()));
        REQUIRE(f.loop.run_until([&] {
            flood.read_available();
            return flood.lines().size() == 1000;
        }));
        CHECK(flood.request(f.loop, "lock") == "ok");
    }
    SECTION("long replies pile up: the client is dropped")
    {
        f.recorder.replies["status"] = "ok " + std::string(3000, 's');
        RawClient flood(f.loop, f.path());
        REQUIRE(flood.send(f.loop, thousand));
        REQUIRE(f.loop.run_until([&] { return f.socket->client_count() == 0; }));
        CHECK(f.recorder.calls.size() < 1000);
        f.recorder.replies.clear();
        CHECK(responsive(f.loop, f.path()));
    }
}

TEST_CASE("at most 16 clients at once", "[control][hostile]")
{
    Fixture f;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<RawClient>(f.loop, f.path()));
        REQUIRE(clients.back()->connected());
    }
    auto closed = [&] {
        size_t count = 0;
        for (auto &client : clients) {
            client->read_available();
            count += client->closed_by_server();
        }
        return count;
    };
    REQUIRE(f.loop.run_until([&] { return closed() == 4; }));
    f.loop.run_for(100ms);
    CHECK(closed() == 4);
    CHECK(f.socket->client_count() == control::max_clients);
    // The extra ones were told why; every one of the 16 is still served.
    for (auto &client : clients) {
        if (client->closed_by_server())
            CHECK(client->lines() == Words{"error: too many control clients"});
        else
            CHECK(client->request(f.loop, "lock") == "ok");
    }
    // Slots of clients that are gone but not yet noticed are freed for a newcomer at once.
    clients.clear();
    CHECK(responsive(f.loop, f.path()));
    REQUIRE(f.loop.run_until([&] { return f.socket->client_count() == 0; }));
}

TEST_CASE("garbage and NUL bytes get error replies and never reach the handler",
          "[control][hostile]")
{
    Fixture f;
    RawClient client(f.loop, f.path());
    for (std::string bad : {std::string("lo\0ck", 5), std::string("\0", 1), std::string("\xff\xfe"),
                            std::string("\x1b[31mlock"), std::string("\tlock"),
                            std::string("lock\r"), std::string(""), std::string("   ")}) {
        INFO(bad);
        CHECK(client.request(f.loop, bad).substr(0, 7) == "error: ");
    }
    CHECK(f.recorder.calls.empty());
    CHECK(client.request(f.loop, "lock") == "ok");
    CHECK(f.recorder.calls == std::vector<Words>{{"lock"}});

    // Random bytes with random line breaks, from a few connections at once.
    std::mt19937 random(1234);
    std::vector<std::unique_ptr<RawClient>> fuzzers;
    for (int i = 0; i < 4; ++i)
        fuzzers.push_back(std::make_unique<RawClient>(f.loop, f.path()));
    for (int round = 0; round < 200; ++round) {
        std::string chunk;
        for (int i = 0; i < 300; ++i)
            chunk += random() % 40 == 0 ? '\n' : static_cast<char>(random() % 256);
        fuzzers[round % fuzzers.size()]->send(f.loop, chunk);
        f.loop.run_for(0ms);
    }
    f.loop.run_for(50ms);
    CHECK_FALSE(f.recorder.saw_malformed);
    CHECK(responsive(f.loop, f.path()));
}

TEST_CASE("half-closed and vanishing clients", "[control][hostile]")
{
    Fixture f;
    SECTION("a request, then shutdown(SHUT_WR): the reply comes, then the close")
    {
        RawClient client(f.loop, f.path());
        REQUIRE(client.send(f.loop, "lock\nstatus\n"));
        REQUIRE(shutdown(client.fd(), SHUT_WR) == 0);
        CHECK(f.wait_closed(client));
        CHECK(client.lines() == Words{"ok", "ok"});
    }
    SECTION("an unfinished line, then shutdown(SHUT_WR): closed, the handler not called")
    {
        RawClient client(f.loop, f.path());
        REQUIRE(client.send(f.loop, "lo"));
        REQUIRE(shutdown(client.fd(), SHUT_WR) == 0);
        CHECK(f.wait_closed(client));
        CHECK(client.lines().empty());
        CHECK(f.recorder.calls.empty());
    }
    SECTION("connect and close at once")
    {
        for (int i = 0; i < 50; ++i)
            RawClient(f.loop, f.path());
    }
    SECTION("requests, then gone before the replies: no SIGPIPE")
    {
        for (int i = 0; i < 20; ++i) {
            RawClient client(f.loop, f.path());
            client.send(f.loop, "status\nstatus\nstatus\n");
            f.loop.run_for(0ms);
        }
    }
    SECTION("a client that shuts down reading still gets served until it leaves")
    {
        RawClient client(f.loop, f.path());
        REQUIRE(shutdown(client.fd(), SHUT_RD) == 0);
        REQUIRE(client.send(f.loop, "lock\n"));
        REQUIRE(f.loop.run_until([&] { return f.recorder.calls.size() == 1; }));
    }
    REQUIRE(f.loop.run_until([&] { return f.socket->client_count() <= 1; }));
    CHECK(responsive(f.loop, f.path()));
    CHECK_FALSE(f.recorder.saw_malformed);
}
