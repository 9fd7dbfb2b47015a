#include "control_test_support.hpp"

#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace rampart::test {

using Clock = std::chrono::steady_clock;

TempDir::TempDir()
{
    char name[] = "/tmp/rampart-control-XXXXXX";
    if (!mkdtemp(name))
        throw std::runtime_error("mkdtemp failed");
    path = name;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

Loop::Loop() : loop_(wl_event_loop_create())
{
    if (!loop_)
        throw std::runtime_error("wl_event_loop_create failed");
}

Loop::~Loop()
{
    wl_event_loop_destroy(loop_);
}

bool Loop::run_until(const std::function<bool()> &condition, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + scaled(timeout);
    while (!condition()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return false;
        // Short slices: the condition may depend on other fds (a child, a raw client).
        wl_event_loop_dispatch(loop_, static_cast<int>(std::min<long>(left.count(), 10)));
    }
    return true;
}

void Loop::run_for(std::chrono::milliseconds duration)
{
    // At least one dispatch, even for a zero duration.
    auto deadline = Clock::now() + duration;
    do {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        wl_event_loop_dispatch(loop_, static_cast<int>(std::clamp<long>(left.count(), 0, 10)));
    } while (Clock::now() < deadline);
}

control::Handler Recorder::handler()
{
    return [this](const std::vector<std::string> &words, const control::Peer &peer) {
        for (const std::string &word : words) {
            if (word.empty())
                saw_malformed = true;
            for (char c : word) {
                if (c <= 0x20 || c > 0x7e)
                    saw_malformed = true;
            }
        }
        if (words.empty())
            saw_malformed = true;
        calls.push_back(words);
        peers.push_back(peer);
        auto reply = words.empty() ? replies.end() : replies.find(words[0]);
        return reply == replies.end() ? std::string("ok") : reply->second;
    };
}

size_t Recorder::count(const std::string &word) const
{
    size_t total = 0;
    for (const auto &call : calls)
        total += !call.empty() && call[0] == word;
    return total;
}

RawClient::RawClient(Loop &loop, const std::string &path)
{
    control::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    auto deadline = Clock::now() + scaled(5s);
    while (connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) < 0) {
        if ((errno != EAGAIN && errno != EINTR) || Clock::now() > deadline)
            return;
        wl_event_loop_dispatch(loop.get(), 10);
    }
    fd_ = std::move(fd);
}

bool RawClient::send(Loop &loop, std::string_view data)
{
    auto deadline = Clock::now() + scaled(5s);
    while (!data.empty()) {
        ssize_t count = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (count > 0) {
            data.remove_prefix(static_cast<size_t>(count));
            continue;
        }
        if ((errno != EAGAIN && errno != EINTR) || Clock::now() > deadline)
            return false;
        wl_event_loop_dispatch(loop.get(), 10);
    }
    return true;
}

void RawClient::read_available()
{
    char buffer[65536];
    while (fd_ && !eof_) {
        ssize_t count = recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
        if (count > 0)
            received_.append(buffer, static_cast<size_t>(count));
        else if (count == 0 || (errno != EAGAIN && errno != EINTR))
            eof_ = true;
        else
            return;
    }
}

std::vector<std::string> RawClient::lines() const
{
    std::vector<std::string> result;
    size_t start = 0;
    for (size_t end; (end = received_.find('\n', start)) != std::string::npos; start = end + 1)
        result.push_back(received_.substr(start, end - start));
    return result;
}

std::string RawClient::request(Loop &loop, const std::string &line)
{
    size_t before = lines().size();
    if (!send(loop, line + "\n"))
        return "";
    loop.run_until([&] {
        read_available();
        return lines().size() > before || eof_;
    });
    auto all = lines();
    return all.size() > before ? all[before] : "";
}

std::unique_ptr<control::ControlSocket> make_socket(Loop &loop, const std::string &path,
                                                    Recorder &recorder)
{
    std::string error;
    auto socket = control::ControlSocket::create(loop.get(), path, recorder.handler(), &error);
    INFO(error);
    REQUIRE(socket);
    return socket;
}

bool responsive(Loop &loop, const std::string &path)
{
    RawClient client(loop, path);
    return client.connected() && client.request(loop, "status").substr(0, 2) == "ok";
}

namespace {

std::string drain(int fd)
{
    std::string text;
    char buffer[4096];
    ssize_t count;
    while ((count = read(fd, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<size_t>(count));
    return text;
}

} // namespace

Run run_rampartctl(Loop &loop, const std::vector<std::string> &args,
                   const std::vector<std::string> &env)
{
    const char *binary = std::getenv("RAMPARTCTL");
    REQUIRE(binary);
    int out[2], err[2];
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(pipe2(err, O_CLOEXEC) == 0);
    std::vector<std::string> argv_text{binary};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char *> argv, envp;
    for (auto &item : argv_text)
        argv.push_back(item.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = env;
    for (auto &item : env_text)
        envp.push_back(item.data());
    envp.push_back(nullptr);

    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        execve(binary, argv.data(), envp.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    int status = 0;
    bool exited = loop.run_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 15s);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    Run run;
    run.out = drain(out[0]);
    run.err = drain(err[0]);
    close(out[0]);
    close(err[0]);
    run.exit_code = exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

} // namespace rampart::test
