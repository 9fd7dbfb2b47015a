// One JSON object per stdout line, flushed at once, so a test can read events as they
// happen through a pipe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::test_client {

class JsonLine {
public:
    explicit JsonLine(std::string_view event);

    JsonLine &str(std::string_view key, std::string_view value);
    JsonLine &num(std::string_view key, int64_t value);
    JsonLine &real(std::string_view key, double value);
    JsonLine &strs(std::string_view key, const std::vector<std::string> &values);
    JsonLine &null(std::string_view key);

    // Writes the line to stdout and flushes.
    void print() const;

    static std::string escape(std::string_view text);

private:
    void key(std::string_view name);
    std::string text_;
};

} // namespace rampart::test_client
