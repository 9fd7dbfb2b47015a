#include "lock_store.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace rampart::lockscreen {

namespace {
constexpr std::size_t max_file_size = 4096;

struct Fd {
    int fd = -1;
    explicit Fd(int value) : fd(value) {}
    ~Fd()
    {
        if (fd >= 0)
            close(fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
};

std::string errno_text(const std::string &what)
{
    return what + ": " + std::strerror(errno);
}

bool ensure_private_dir(const std::string &dir, std::string &error)
{
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        error = errno_text("cannot create " + dir);
        return false;
    }
    struct stat info {};
    if (lstat(dir.c_str(), &info) != 0) {
        error = errno_text(dir);
        return false;
    }
    if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid() || (info.st_mode & 077)) {
        error = dir + " is not a private directory of this user";
        return false;
    }
    return true;
}
} // namespace

std::string lock_state_path(const std::string &runtime_dir, const std::string &display)
{
    return runtime_dir + "/rampart/" + display + ".lock-state";
}

std::string format_lock_state(const PersistentLockState &state)
{
    std::ostringstream out;
    out << "locked=" << (state.locked ? 1 : 0) << "\n"
        << "failures=" << state.failures << "\n"
        << "backoff_until_ms=" << state.backoff_until_ms << "\n";
    return out.str();
}

bool parse_lock_state(const std::string &text, PersistentLockState &state, std::string &error)
{
    PersistentLockState parsed;
    bool seen_locked = false, seen_failures = false, seen_backoff = false;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        auto equals = line.find('=');
        if (equals == std::string::npos) {
            error = "malformed line";
            return false;
        }
        std::string key = line.substr(0, equals), value = line.substr(equals + 1);
        int64_t number = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (ec != std::errc() || end != value.data() + value.size() || number < 0) {
            error = "bad value for " + key;
            return false;
        }
        if (key == "locked" && number <= 1) {
            parsed.locked = number == 1;
            seen_locked = true;
        } else if (key == "failures" && number <= 1'000'000) {
            parsed.failures = static_cast<unsigned>(number);
            seen_failures = true;
        } else if (key == "backoff_until_ms") {
            parsed.backoff_until_ms = number;
            seen_backoff = true;
        } else {
            error = "unknown or out-of-range entry " + key;
            return false;
        }
    }
    if (!seen_locked || !seen_failures || !seen_backoff) {
        error = "incomplete";
        return false;
    }
    state = parsed;
    return true;
}

LoadedLockState load_lock_state(const std::string &path)
{
    LoadedLockState loaded;
    Fd file(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (file.fd < 0) {
        if (errno == ENOENT)
            return loaded; // first start of this session
        loaded.status = LoadedLockState::Status::unsafe;
        loaded.state.locked = true;
        loaded.error = errno_text("cannot open " + path);
        return loaded;
    }
    auto unsafe = [&](std::string why) {
        loaded.status = LoadedLockState::Status::unsafe;
        loaded.state.locked = true;
        loaded.error = path + ": " + why;
        return loaded;
    };
    struct stat info {};
    if (fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode))
        return unsafe("not a regular file");
    if (info.st_uid != geteuid() || (info.st_mode & 022))
        return unsafe("not owned by this user or writable by others");
    if (info.st_size > static_cast<off_t>(max_file_size))
        return unsafe("too large");
    std::string text(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = read(file.fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return unsafe("short read");
        done += static_cast<std::size_t>(n);
    }
    std::string error;
    PersistentLockState state;
    if (!parse_lock_state(text, state, error)) {
        // Keep what is known to be safe: locked, and the failures if readable.
        return unsafe(error);
    }
    loaded.status = LoadedLockState::Status::ok;
    loaded.state = state;
    return loaded;
}

bool save_lock_state(const std::string &path, const PersistentLockState &state, std::string &error)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        error = "bad path " + path;
        return false;
    }
    if (!ensure_private_dir(path.substr(0, slash), error))
        return false;
    std::string temporary = path + ".new";
    unlink(temporary.c_str());
    Fd file(open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (file.fd < 0) {
        error = errno_text("cannot write " + temporary);
        return false;
    }
    std::string text = format_lock_state(state);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = write(file.fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error = errno_text("cannot write " + temporary);
            unlink(temporary.c_str());
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    if (fsync(file.fd) != 0 || rename(temporary.c_str(), path.c_str()) != 0) {
        error = errno_text("cannot replace " + path);
        unlink(temporary.c_str());
        return false;
    }
    return true;
}

} // namespace rampart::lockscreen
