// Config text is untrusted: this reads it with a size cap, refuses nesting that toml++
// cannot survive, and makes it safe to quote in a message. Internal to compositor/config.
#pragma once

#include "config/config.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::config::detail {

constexpr std::size_t max_file_size = 1 << 20;

inline bool is_bare_key_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

// Reads the file into `text`: a missing file (or an empty path) is empty text. Reads at most
// one byte more than max_file_size, so that parse() refuses a huge file without reading it all.
std::optional<Error> read_file(const std::string &path, std::string &text);

// An error at the first place where keys or brackets nest too deeply for toml++.
std::optional<Error> check_nesting(std::string_view text, const std::string &path);

// `text` with control characters (and, if asked, quotes and backslashes) escaped, cut after
// about max_length bytes: file text fit for a one-line message.
std::string printable(std::string_view text, std::size_t max_length, bool escape_quotes = false);
// A value from the file, shortened and escaped, in double quotes.
std::string quoted(std::string_view text);

}  // namespace rampart::config::detail
