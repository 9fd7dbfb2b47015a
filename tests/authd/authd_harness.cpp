#include "authd_harness.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rampart::authd_test {
namespace {

// Orphans (the PAM child of a SIGKILLed broker) are re-parented to us, so a test can reap
// them and tell dead from alive.
const bool subreaper_set = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;

std::string required_env(const char *name)
{
    const char *value = std::getenv(name);
    if (!value || !*value)
        throw std::runtime_error(std::string(name) + " is not set (run through meson test)");
    return value;
}

using Clock = std::chrono::steady_clock;

} // namespace

std::string random_secret(std::size_t length)
{
    static std::random_device device;
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string out;
    for (std::size_t i = 0; i < length; ++i)
        out += alphabet[pick(device)];
    return out;
}

Broker::Broker(const PamServiceDir &services, BrokerOptions options)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        throw std::runtime_error("socketpair failed");
    const std::string program = required_env("RAMPART_AUTHD");
    std::vector<std::string> args{program};
    if (options.socket_activated)
        args.push_back("--socket-activated");
    else
        args.insert(args.end(), {"--fd", "3"});
    args.push_back("-v");
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

    // Before fork: required_env throws. LD_PRELOAD comes first in the list.
    auto pam_environment = test::pam_wrapper_environment(services.path());
    if (options.fd_shim)
        pam_environment.front().second += ":" + required_env("RAMPART_TEST_FD_SHIM");
    (void)subreaper_set;

    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        if (pair[1] == 3)
            fcntl(3, F_SETFD, 0);
        else if (dup2(pair[1], 3) != 3)
            _exit(127);
        for (const auto &[name, value] : pam_environment)
            setenv(name.c_str(), value.c_str(), 1);
        for (const auto &[name, value] : options.env)
            setenv(name.c_str(), value.c_str(), 1);
        for (const int fd : options.inherit)
            fcntl(fd, F_SETFD, 0);
        if (options.socket_activated) {
            setenv("LISTEN_FDS", "1", 1);
            setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
        }
        if (options.run_as) {
            const gid_t gid = *options.run_as;
            if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(*options.run_as) != 0)
                _exit(126);
        }
        std::vector<char *> argv;
        for (auto &arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        _exit(127);
    }
    close(pair[1]);
    fd_ = pair[0];
}

Broker::~Broker()
{
    if (fd_ >= 0)
        close(fd_);
    if (!reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void Broker::send_raw(std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t written = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (written <= 0)
            return; // the broker may already have closed: the test checks for that
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

void Broker::send(const std::vector<std::uint8_t> &frame)
{
    send_raw(std::string_view(reinterpret_cast<const char *>(frame.data()), frame.size()));
}

void Broker::send_answer(std::uint32_t attempt, std::string_view secret)
{
    secure::SecretBuffer frame(auth::header_size + 6 + auth::max_secret);
    if (!auth::encode_answer(attempt, std::span(secret.data(), secret.size()), frame))
        throw std::runtime_error("answer too long");
    send_raw(std::string_view(frame.data(), frame.size()));
}

std::optional<auth::Message> Broker::next(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto message = decoder_.next())
            return message;
        if (closed_ || decoder_.failed())
            return std::nullopt;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        pollfd watched{fd_, POLLIN, 0};
        if (poll(&watched, 1, static_cast<int>(left.count())) <= 0)
            continue;
        std::uint8_t bytes[auth::header_size + auth::max_payload];
        const ssize_t got = read(fd_, bytes, sizeof bytes);
        if (got <= 0) {
            closed_ = true;
            continue;
        }
        decoder_.feed(std::span(bytes, static_cast<std::size_t>(got)));
    }
}

bool Broker::wait_closed(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (!closed_ && Clock::now() < deadline) {
        if (!next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())) &&
            decoder_.failed())
            return false;
    }
    return closed_;
}

void Broker::close_connection()
{
    if (fd_ >= 0)
        close(fd_);
    fd_ = -1;
}

std::optional<int> Broker::wait_exit(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    do {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            return status;
        }
        std::this_thread::sleep_for(10ms);
    } while (Clock::now() < deadline);
    return std::nullopt;
}

std::vector<pid_t> Broker::children() const
{
    std::vector<pid_t> found;
    DIR *proc = opendir("/proc");
    if (!proc)
        return found;
    while (const dirent *entry = readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0)
            continue;
        std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
        std::string line;
        std::getline(stat, line);
        // "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
        const auto close_paren = line.rfind(')');
        if (close_paren == std::string::npos)
            continue;
        std::istringstream rest(line.substr(close_paren + 1));
        char state = 0;
        pid_t parent = 0;
        rest >> state >> parent;
        if (parent == pid_)
            found.push_back(pid);
    }
    closedir(proc);
    return found;
}

pid_t Broker::wait_for_child(std::chrono::milliseconds timeout) const
{
    const auto deadline = Clock::now() + timeout;
    do {
        if (const auto found = children(); !found.empty())
            return found.front();
        std::this_thread::sleep_for(10ms);
    } while (Clock::now() < deadline);
    return -1;
}

bool process_gone(pid_t pid, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    do {
        const pid_t reaped = waitpid(pid, nullptr, WNOHANG);
        if (reaped == pid)
            return true;
        if (reaped < 0 && errno == ECHILD) {
            // Not ours to reap: gone when /proc no longer has it or it is a zombie.
            std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
            std::string line;
            if (!std::getline(stat, line))
                return true;
            const auto close_paren = line.rfind(')');
            if (close_paren != std::string::npos && close_paren + 2 < line.size() &&
                line[close_paren + 2] == 'Z')
                return true;
        }
        std::this_thread::sleep_for(10ms);
    } while (Clock::now() < deadline);
    return false;
}

MemoryScan scan_memory(pid_t pid, std::string_view needle, std::size_t largest_mapping)
{
    const std::string base = "/proc/" + std::to_string(pid);
    // smaps, not maps: a mapping with nothing resident or swapped holds no data of its own
    // (ASan's terabytes of reserved shadow, for one), so it is skipped.
    std::ifstream smaps(base + "/smaps");
    const int memory = open((base + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (!smaps || memory < 0)
        throw std::runtime_error("cannot open " + base + "/mem: " + std::strerror(errno));
    struct Mapping {
        unsigned long start = 0, end = 0;
        std::string line;
        std::size_t kilobytes_present = 0;
    };
    std::vector<Mapping> mappings;
    std::string line;
    while (std::getline(smaps, line)) {
        unsigned long start = 0, end = 0;
        char permissions[5] = {};
        std::size_t kilobytes = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, permissions) == 3) {
            mappings.push_back({start, end, line, 0});
            if (permissions[0] != 'r' || line.find("[vvar]") != std::string::npos ||
                line.find("[vsyscall]") != std::string::npos)
                mappings.back().end = start; // unreadable: nothing to scan
        } else if (!mappings.empty() &&
                   (std::sscanf(line.c_str(), "Rss: %zu kB", &kilobytes) == 1 ||
                    std::sscanf(line.c_str(), "Swap: %zu kB", &kilobytes) == 1)) {
            mappings.back().kilobytes_present += kilobytes;
        }
    }
    MemoryScan scan;
    std::vector<char> chunk;
    for (const auto &mapping : mappings) {
        if (mapping.kilobytes_present == 0 || mapping.end <= mapping.start)
            continue;
        if (mapping.end - mapping.start > largest_mapping) {
            ++scan.mappings_skipped;
            continue;
        }
        // Read in chunks that overlap by the needle's length, so no match straddles a cut.
        constexpr std::size_t chunk_size = 1 << 20;
        for (unsigned long at = mapping.start; at < mapping.end; at += chunk_size) {
            const std::size_t want =
                std::min<std::size_t>(mapping.end - at, chunk_size + needle.size());
            chunk.resize(want);
            const ssize_t got = pread(memory, chunk.data(), want, static_cast<off_t>(at));
            if (got <= 0)
                break;
            scan.bytes_read += static_cast<std::size_t>(got);
            if (std::string_view(chunk.data(), static_cast<std::size_t>(got)).find(needle) !=
                std::string_view::npos) {
                scan.found = true;
                scan.where.push_back(mapping.line);
            }
        }
    }
    close(memory);
    return scan;
}

} // namespace rampart::authd_test
