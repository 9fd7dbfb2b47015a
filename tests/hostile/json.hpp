// One JSON object per stdout line, flushed at once, so a test can follow the attack through
// a pipe. Strings are escaped so the line stays valid JSON even when a hostile title is not
// valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::hostile {

class Json {
public:
    // {"event":"<name>", ...}
    static Json event(std::string_view name);
    // A bare object, for nesting with raw().
    static Json object();

    Json &str(std::string_view key, std::string_view value);
    Json &num(std::string_view key, int64_t value);
    Json &real(std::string_view key, double value); // null if not finite
    Json &boolean(std::string_view key, bool value);
    Json &null(std::string_view key);
    Json &strs(std::string_view key, const std::vector<std::string> &values);
    // `json` must already be valid JSON (a nested object or array).
    Json &raw(std::string_view key, std::string_view json);

    std::string text() const { return text_ + '}'; }
    // Writes the line to stdout and flushes.
    void print() const;

    // Quoted JSON string; invalid UTF-8 becomes U+FFFD, controls become \uXXXX.
    static std::string quote(std::string_view text);

private:
    Json() = default;
    void key(std::string_view name);
    std::string text_;
    bool empty_ = true;
};

// The bytes as lowercase hex, for reporting raw titles exactly.
std::string to_hex(std::string_view bytes, size_t max_bytes = 64);

} // namespace rampart::hostile
