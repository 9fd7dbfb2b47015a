// Machine-readable event log: one JSON object a line, written to a file or fd given on the
// command line. Tests and benchmarks wait on it instead of sleeping. No wlroots here.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace rampart {

class EventLog {
public:
    using Value = std::variant<int64_t, std::string, bool>;
    struct Field {
        std::string_view key;
        Value value;
    };

    EventLog() = default;
    ~EventLog();
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;

    // "-" means stdout; otherwise a path opened for append. Returns false with errno set.
    bool open(const std::string &target);
    bool active() const { return fd_ >= 0 || observer; }

    // In-process tests watch events here as well as (or instead of) a file.
    std::function<void(const std::string &line)> observer;

    // Writes {"event":name,"t_ms":<monotonic ms>, fields...}. Does nothing when inactive.
    void emit(std::string_view name, std::initializer_list<Field> fields = {});

    static std::string json_escape(std::string_view text);

private:
    int fd_ = -1;
    bool owns_fd_ = false;
};

} // namespace rampart
