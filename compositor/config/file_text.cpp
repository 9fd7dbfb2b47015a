// Reading untrusted config text: see file_text.hpp. Also load() and the default paths.
#include "config/file_text.hpp"

#include <algorithm>
#include <sstream>
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

const char *type_name(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
    }
}

// -1.0, 0.5, nan, inf: as the number would be written in TOML.
std::string toml_number(double value)
{
    std::ostringstream out;
    out << toml::value<double>(value);
    return out.str();
}

} // namespace

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

std::optional<std::u32string> decode_utf8(std::string_view text)
{
    std::u32string out;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto lead = static_cast<unsigned char>(text[pos]);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if ((lead >= 0x80 && lead < 0xc2) || lead > 0xf4 || pos + length > text.size())
            return std::nullopt;
        char32_t c = length == 1 ? lead : lead & (0x7f >> length);
        for (std::size_t i = 1; i < length; ++i) {
            const auto byte = static_cast<unsigned char>(text[pos + i]);
            if ((byte & 0xc0) != 0x80)
                return std::nullopt;
            c = (c << 6) | (byte & 0x3f);
        }
        const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (c < smallest[length] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return std::nullopt;
        out += c;
        pos += length;
    }
    return out;
}

bool is_control(char32_t c)
{
    return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

bool is_invisible_format(char32_t c)
{
    return c == 0xad || c == 0x61c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
           (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
           (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe007f);
}

bool is_blank(char32_t c)
{
    return c == ' ' || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
           c == 0x205f || c == 0x3000 || c == 0x2800 || c == 0x3164 || c == 0x115f || c == 0x1160 ||
           c == 0xffa0;
}

std::string code_point_name(char32_t c)
{
    constexpr const char *hex = "0123456789ABCDEF";
    std::string digits;
    for (; c != 0 || digits.size() < 4; c >>= 4)
        digits.insert(digits.begin(), hex[c & 0xf]);
    return "U+" + digits;
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
            pos = text.find('\n', pos); // npos ends the loop
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
    const std::string_view line_text = before.substr(before.rfind('\n') + 1); // npos + 1 == 0
    const auto column = std::count_if(line_text.begin(), line_text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80; // count characters, not bytes
    });
    return Error{path, 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n')),
                 1 + static_cast<int>(column), problem};
}

std::string key_name(std::string_view key)
{
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), is_bare_key_character);
    return bare ? std::string(key) : quoted(key);
}

std::optional<Error> ValueReader::first_error() const
{
    auto first = std::min_element(errors_.begin(), errors_.end(), [](auto &a, auto &b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return first == errors_.end() ? std::nullopt : std::optional(*first);
}

void ValueReader::fail(const toml::source_region &where, std::string message)
{
    errors_.push_back(Error{path_, static_cast<int>(where.begin.line),
                            static_cast<int>(where.begin.column), std::move(message)});
}

bool ValueReader::check_type(const toml::node &node, const std::string &name, bool ok,
                             const char *wanted)
{
    if (!ok)
        fail(node.source(), name + " must be " + wanted + ", not " + type_name(node));
    return ok;
}

bool ValueReader::set(const toml::node &node, const std::string &name, std::string &out)
{
    if (!check_type(node, name, node.is_string(), "a string"))
        return false;
    const std::string &value = node.as_string()->get();
    if (value.find('\0') != std::string::npos) { // "\u0000" is valid TOML
        fail(node.source(), name + " must not contain a NUL character");
        return false;
    }
    out = value;
    return true;
}

bool ValueReader::set(const toml::node &node, const std::string &name, int &out, int64_t min,
                      int64_t max)
{
    if (!check_type(node, name, node.is_integer(), "an integer"))
        return false;
    const int64_t value = node.as_integer()->get();
    if (value < min || value > max) {
        fail(node.source(), name + " must be between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", not " + std::to_string(value));
        return false;
    }
    out = static_cast<int>(value);
    return true;
}

FieldReader ValueReader::field(std::string &out, bool may_be_empty)
{
    return [this, &out, may_be_empty](const toml::node &node, const std::string &name) {
        std::string value;
        if (set(node, name, value) && !may_be_empty && value.empty())
            fail(node.source(), name + " must not be empty");
        else if (!value.empty() || may_be_empty)
            out = value;
    };
}

FieldReader ValueReader::field(bool &out)
{
    return [this, &out](const toml::node &node, const std::string &name) {
        if (check_type(node, name, node.is_boolean(), "true or false"))
            out = node.as_boolean()->get();
    };
}

FieldReader ValueReader::field(int &out, int64_t min, int64_t max)
{
    return [this, &out, min, max](const toml::node &node, const std::string &name) {
        set(node, name, out, min, max);
    };
}

FieldReader ValueReader::field(double &out, double min, double max)
{
    return [this, &out, min, max](const toml::node &node, const std::string &name) {
        if (!check_type(node, name, node.is_number(), "a number"))
            return;
        const double value = node.value<double>().value_or(0.0); // an integer converts
        if (value >= min && value <= max)                        // false for NaN too
            out = value;
        else
            fail(node.source(), name + " must be between " + toml_number(min) + " and " +
                                    toml_number(max) + ", not " + toml_number(value));
    };
}

void ValueReader::read_fields(const toml::table &table, const std::string &prefix,
                              const std::vector<Field> &fields)
{
    for (auto &&[key, node] : table) {
        const std::string name = prefix + "." + key_name(key.str());
        auto known = std::find_if(fields.begin(), fields.end(),
                                  [&](const Field &field) { return field.key == key.str(); });
        if (known != fields.end()) {
            known->read(node, name);
            continue;
        }
        std::string valid;
        for (const Field &field : fields)
            valid += (valid.empty() ? "" : ", ") + std::string(field.key);
        fail(key.source(), "unknown key " + name + " (valid keys: " + valid + ")");
    }
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

} // namespace detail

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
    if (config_home && config_home[0] == '/') // the XDG spec says to ignore a relative one
        return std::string(config_home) + "/rampart/rampart.toml";
    const char *home = std::getenv("HOME");
    if (home && home[0] != '\0')
        return std::string(home) + "/.config/rampart/rampart.toml";
    return {}; // no home directory: no user config (load() treats "" as absent)
}

} // namespace rampart::config
