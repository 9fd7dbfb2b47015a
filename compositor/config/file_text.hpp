// Config text is untrusted: this reads it with a size cap, refuses nesting that toml++
// cannot survive, makes it safe to quote in a message, and reads typed values out of the
// parsed tree with every problem kept with its position. Internal to compositor/config.
#pragma once

#include "config/config.hpp"

// toml++ 3.3 asserts on some malformed input that it then reports as a parse error anyway,
// such as "[=" or "x = [0,}". Its release build (the shared library) has no assertions;
// this keeps a header-only debug build, like a standalone test build, from aborting. Every
// file of the module includes toml++ through here, so all see the same definition.
#ifndef TOML_ASSERT
#define TOML_ASSERT(expr) static_assert(true)
#endif
#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::config::detail {

constexpr std::size_t max_file_size = 1 << 20;

inline bool is_bare_key_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
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

// The code points of `text`, or nullopt unless it is valid UTF-8 (no overlong forms, no
// surrogates). toml++ checks the file's encoding already; callers need not rely on that.
std::optional<std::u32string> decode_utf8(std::string_view text);
// C0, DEL and C1 control characters.
bool is_control(char32_t c);
// Characters that change how the text around them is drawn without being seen themselves:
// bidi controls, zero-width characters, line separators, tags.
bool is_invisible_format(char32_t c);
// Characters drawn as blank space, including the "filler" letters that render as nothing.
bool is_blank(char32_t c);
// "U+202E".
std::string code_point_name(char32_t c);

// A key as it is written in a dotted name: bare when TOML allows it, else quoted.
std::string key_name(std::string_view key);

using FieldReader = std::function<void(const toml::node &node, const std::string &name)>;
struct Field {
    std::string_view key;
    FieldReader read;
};

// Reads typed values from one file's tree. Problems are collected rather than thrown so that
// the first one in the file is reported (toml++ tables iterate in key order, not file order).
// `name` arguments are the dotted key names used in messages, such as "keyboard.layout".
class ValueReader {
public:
    explicit ValueReader(const std::string &path) : path_(path) {}

    std::optional<Error> first_error() const;
    void fail(const toml::source_region &where, std::string message);
    // Fails with "NAME must be WANTED, not a string" unless `ok`.
    bool check_type(const toml::node &node, const std::string &name, bool ok, const char *wanted);

    bool set(const toml::node &node, const std::string &name, std::string &out);
    bool set(const toml::node &node, const std::string &name, int &out, int64_t min, int64_t max);
    FieldReader field(std::string &out, bool may_be_empty = true);
    FieldReader field(bool &out);
    FieldReader field(int &out, int64_t min, int64_t max);
    FieldReader field(double &out, double min, double max);
    template <typename T>
    FieldReader choice(T &out, std::vector<std::pair<std::string, T>> choices);
    // Reads each key of `table` with its Field; a key without one is an error.
    void read_fields(const toml::table &table, const std::string &prefix,
                     const std::vector<Field> &fields);

private:
    const std::string &path_;
    std::vector<Error> errors_;
};

template <typename T>
FieldReader ValueReader::choice(T &out, std::vector<std::pair<std::string, T>> choices)
{
    return [this, &out, choices](const toml::node &node, const std::string &name) {
        std::string value, valid;
        if (!set(node, name, value))
            return;
        for (const auto &[text, choice] : choices) {
            if (text == value) {
                out = choice;
                return;
            }
            valid += (valid.empty() ? "" : ", ") + text;
        }
        fail(node.source(), name + " must be one of " + valid + ", not " + quoted(value));
    };
}

} // namespace rampart::config::detail
