#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char **environ;

namespace rampart::test {

namespace {

std::string unescape(const std::string &text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        char next = text[++i];
        switch (next) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'u':
            if (i + 4 < text.size()) {
                unsigned code =
                    static_cast<unsigned>(std::stoul(text.substr(i + 1, 4), nullptr, 16));
                i += 4;
                if (code < 0x80) {
                    out += static_cast<char>(code);
                } else if (code < 0x800) {
                    out += static_cast<char>(0xc0 | (code >> 6));
                    out += static_cast<char>(0x80 | (code & 0x3f));
                } else {
                    out += static_cast<char>(0xe0 | (code >> 12));
                    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
                    out += static_cast<char>(0x80 | (code & 0x3f));
                }
            }
            break;
        default: out += next; break;
        }
    }
    return out;
}

} // namespace

Event parse_event(const std::string &line)
{
    Event event;
    size_t i = line.find('{');
    if (i == std::string::npos)
        return event;
    ++i;
    auto skip_space = [&] {
        while (i < line.size() && (line[i] == ' ' || line[i] == ','))
            ++i;
    };
    while (i < line.size()) {
        skip_space();
        if (i >= line.size() || line[i] != '"')
            break;
        size_t key_end = line.find('"', i + 1);
        std::string key = line.substr(i + 1, key_end - i - 1);
        i = line.find(':', key_end) + 1;
        std::string value;
        if (line[i] == '"') {
            size_t j = i + 1;
            while (j < line.size() && line[j] != '"')
                j += line[j] == '\\' ? 2 : 1;
            value = unescape(line.substr(i + 1, j - i - 1));
            i = j + 1;
        } else {
            int depth = 0;
            size_t j = i;
            for (; j < line.size(); ++j) {
                char c = line[j];
                if (c == '[' || c == '{')
                    ++depth;
                else if ((c == ']' || c == '}') && depth > 0)
                    --depth;
                else if ((c == ',' || c == '}') && depth == 0)
                    break;
            }
            value = line.substr(i, j - i);
            i = j;
        }
        event[key] = value;
    }
    return event;
}

ClientProcess::ClientProcess(const std::vector<std::string> &argv,
                             const std::string &wayland_display, bool merge_stderr)
{
    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    if (merge_stderr)
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> environment;
    for (char **entry = environ; *entry; ++entry)
        if (wayland_display.empty() || std::strncmp(*entry, "WAYLAND_DISPLAY=", 16) != 0)
            environment.emplace_back(*entry);
    if (!wayland_display.empty())
        environment.push_back("WAYLAND_DISPLAY=" + wayland_display);
    std::vector<char *> env_pointers, arg_pointers;
    for (auto &entry : environment)
        env_pointers.push_back(entry.data());
    env_pointers.push_back(nullptr);
    std::vector<std::string> args = argv;
    for (auto &arg : args)
        arg_pointers.push_back(arg.data());
    arg_pointers.push_back(nullptr);

    int result = posix_spawnp(&pid_, args[0].c_str(), &actions, &attributes, arg_pointers.data(),
                              env_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(in_pipe[0]);
    close(out_pipe[1]);
    stdin_fd_ = in_pipe[1];
    stdout_fd_ = out_pipe[0];
    fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    if (result != 0)
        throw std::runtime_error("cannot start " + args[0] + ": " + strerror(result));
}

ClientProcess::~ClientProcess()
{
    kill_now();
    close(stdin_fd_);
    close(stdout_fd_);
}

void ClientProcess::kill_now()
{
    if (exited_ || pid_ <= 0)
        return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
}

void ClientProcess::signal(int number)
{
    if (!exited_ && pid_ > 0)
        ::kill(pid_, number);
}

void ClientProcess::send(const std::string &command)
{
    std::string line = command + "\n";
    if (write(stdin_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw std::runtime_error("cannot write to the client's stdin");
}

void ClientProcess::read_available()
{
    char buffer[4096];
    for (;;) {
        ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
        if (n <= 0)
            break;
        partial_.append(buffer, static_cast<size_t>(n));
    }
    size_t newline;
    while ((newline = partial_.find('\n')) != std::string::npos) {
        std::string line = partial_.substr(0, newline);
        partial_.erase(0, newline + 1);
        lines_.push_back(line);
        if (line.find('{') != std::string::npos)
            events_.push_back(parse_event(line));
    }
}

bool ClientProcess::exited()
{
    if (!exited_) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
    return exited_;
}

bool matches(const Event &event, const std::string &name, const Event &match)
{
    auto it = event.find("event");
    if (it == event.end() || it->second != name)
        return false;
    for (const auto &[key, value] : match) {
        auto found = event.find(key);
        if (found == event.end() || found->second != value)
            return false;
    }
    return true;
}

size_t ClientProcess::count(const std::string &name, const Event &match) const
{
    size_t n = 0;
    for (const Event &event : events_)
        n += matches(event, name, match);
    return n;
}

std::optional<Event> ClientProcess::last(const std::string &name, const Event &match) const
{
    for (auto it = events_.rbegin(); it != events_.rend(); ++it)
        if (matches(*it, name, match))
            return *it;
    return std::nullopt;
}

} // namespace rampart::test

namespace rampart::test {

std::chrono::milliseconds scaled(std::chrono::milliseconds timeout)
{
    const char *scale = std::getenv("RAMPART_TEST_TIMEOUT_SCALE");
    int factor = scale ? std::max(1, std::atoi(scale)) : 1;
    return timeout * factor;
}

bool wait_for(const std::vector<ClientProcess *> &processes, const std::function<bool()> &condition,
              std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
    for (;;) {
        for (ClientProcess *process : processes)
            process->read_available();
        if (condition())
            return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        std::vector<pollfd> fds;
        for (ClientProcess *process : processes)
            fds.push_back({process->stdout_fd(), POLLIN, 0});
        // Wake on output, or at least every 50 ms to notice exits.
        poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 50)));
    }
}

} // namespace rampart::test
