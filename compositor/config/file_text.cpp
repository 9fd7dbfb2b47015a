// Reading untrusted config text: see file_text.hpp. Also load() and the default paths.
#include "config/file_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace rampart::config {

namespace {

// toml++ recurses once per level of nesting and overflows the stack on a file such as
// "a.a.a.… = 1" long before it would report an error, so deeper files are refused first.
constexpr int max_key_dots = 32;
constexpr int max_bracket_depth = 32;

// One past the end of the TOML string that starts at `pos`.
std::size_t skip_string(std::string_view text, std::size_t pos)
{
    const char quote = text[pos];
    const std::string delimiter(text.compare(pos, 3, std::string(3, quote)) == 0 ? 3 : 1, quote);
    const bool multi_line = delimiter.size() == 3;
    for (pos += delimiter.size(); pos < text.size(); ++pos) {
        if (text[pos] == '\\' && quote == '"') {
            ++pos;
        } else if (!multi_line && text[pos] == '\n') {
            return pos;
        } else if (text.compare(pos, delimiter.size(), delimiter) == 0) {
            pos += delimiter.size();
            // """a"""" is the string a": up to two quotes may come before the delimiter.
            for (int extra = 0; multi_line && extra < 2 && pos < text.size() && text[pos] == quote;
                 ++extra)
                ++pos;
            return pos;
        }
    }
    return pos;
}

}  // namespace

namespace detail {

// Cuts at a UTF-8 character boundary, so the message stays valid UTF-8.
std::string printable(std::string_view text, std::size_t max_length, bool escape_quotes)
{
    const bool cut = text.size() > max_length;
    if (cut) {
        while (max_length > 0 && (static_cast<unsigned char>(text[max_length]) & 0xc0) == 0x80)
            --max_length;
        text = text.substr(0, max_length);
    }
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        constexpr const char *hex = "0123456789abcdef";
        if (byte < 0x20 || byte == 0x7f)
            out += {'\\', 'x', hex[byte >> 4], hex[byte & 0xf]};
        else if (escape_quotes && (c == '"' || c == '\\'))
            out += {'\\', c};
        else
            out += c;
    }
    return cut ? out + "..." : out;
}

std::string quoted(std::string_view text)
{
    return '"' + printable(text, 64, true) + '"';
}

// Refuses nesting toml++ could not survive: counts the dots of dotted keys and the open
// brackets, outside strings and comments. It need only be exact for valid TOML: toml++
// stops at the first syntax error, so nothing after one is ever built.
std::optional<Error> check_nesting(std::string_view text, const std::string &path)
{
    int dots = 0, brackets = 0;
    std::size_t pos = 0;
    std::string problem;
    while (pos < text.size() && problem.empty()) {
        const char c = text[pos];
        if (c == '#') {
            pos = text.find('\n', pos);  // npos ends the loop
            continue;
        }
        if (c == '"' || c == '\'') {
            pos = skip_string(text, pos);
            continue;
        }
        if (c == '.' && ++dots > max_key_dots)
            problem = "keys are nested more than " + std::to_string(max_key_dots) + " levels deep";
        else if ((c == '[' || c == '{') && ++brackets > max_bracket_depth)
            problem = "brackets are nested more than " + std::to_string(max_bracket_depth) +
                      " levels deep";
        else if (c == ']' || c == '}')
            brackets = std::max(brackets - 1, 0);
        if (c != '.' && c != ' ' && c != '\t' && !is_bare_key_character(c))
            dots = 0;
        pos += problem.empty() ? 1 : 0;
    }
    if (problem.empty())
        return std::nullopt;
    const std::string_view before = text.substr(0, pos);
    const std::string_view line_text = before.substr(before.rfind('\n') + 1);  // npos + 1 == 0
    const auto column = std::count_if(line_text.begin(), line_text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;  // count characters, not bytes
    });
    return Error{path, 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n')),
                 1 + static_cast<int>(column), problem};
}

std::optional<Error> read_file(const std::string &path, std::string &text)
{
    text.clear();
    if (path.empty())
        return std::nullopt;
    // O_NONBLOCK so that a FIFO cannot hang the compositor in open().
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT)
        return std::nullopt;
    if (fd < 0)
        return Error{path, 0, 0, std::string("cannot open the file: ") + std::strerror(errno)};
    text.resize(max_file_size + 1);
    std::size_t filled = 0;
    int read_errno = 0;
    while (filled < text.size() && read_errno == 0) {
        const ssize_t count = read(fd, text.data() + filled, text.size() - filled);
        if (count == 0)
            break;
        if (count > 0)
            filled += static_cast<std::size_t>(count);
        else if (errno != EINTR)
            read_errno = errno;
    }
    close(fd);
    text.resize(read_errno ? 0 : filled);
    if (read_errno)
        return Error{path, 0, 0, std::string("cannot read the file: ") + std::strerror(read_errno)};
    return std::nullopt;
}

}  // namespace detail

LoadResult load(const std::string &system_path, const std::string &user_path)
{
    std::string system_text, user_text;
    try {
        if (auto error = detail::read_file(system_path, system_text))
            return {std::nullopt, std::move(error)};
        if (auto error = detail::read_file(user_path, user_text))
            return {std::nullopt, std::move(error)};
    } catch (const std::exception &exception) {
        return {std::nullopt, Error{system_path, 0, 0, exception.what()}};
    }
    return parse(system_text, system_path, user_text, user_path);
}

std::string default_system_path()
{
    return "/etc/rampart/rampart.toml";
}

std::string default_user_path()
{
    const char *config_home = std::getenv("XDG_CONFIG_HOME");
    if (config_home && config_home[0] == '/')  // the XDG spec says to ignore a relative one
        return std::string(config_home) + "/rampart/rampart.toml";
    const char *home = std::getenv("HOME");
    if (home && home[0] != '\0')
        return std::string(home) + "/.config/rampart/rampart.toml";
    return {};  // no home directory: no user config (load() treats "" as absent)
}

}  // namespace rampart::config
