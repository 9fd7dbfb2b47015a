// [levels] and [[level]]: which security levels exist, how they look, and where their sockets
// are. Pure: names of users and groups are checked for form only, never looked up, and no
// path is touched; the glue does both when it creates the sockets.
#include "config/levels.hpp"

#include <algorithm>
#include <array>
#include <tuple>

namespace rampart::config {

namespace {

using detail::code_point_name;
using detail::decode_utf8;
using detail::FieldReader;
using detail::is_blank;
using detail::is_control;
using detail::is_invisible_format;
using detail::quoted;

constexpr std::size_t max_socket_path = 107; // sun_path holds 108 bytes with the NUL

std::optional<Rgb> parse_color(std::string_view text)
{
    const auto digit = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
    };
    if (text.size() != 7 || text[0] != '#')
        return std::nullopt;
    std::array<uint8_t, 3> channels{};
    for (std::size_t i = 0; i < 3; ++i) {
        const int high = digit(text[1 + 2 * i]), low = digit(text[2 + 2 * i]);
        if (high < 0 || low < 0)
            return std::nullopt;
        channels[i] = static_cast<uint8_t>(high * 16 + low);
    }
    return Rgb{channels[0], channels[1], channels[2]};
}

// "a//b/./c/../d" -> "a/b/d", lexically. "/.." is "/"; a relative path keeps the ".." that
// climb above its start, so that the caller can see them. "." when nothing is left.
std::string normalise_path(std::string_view path)
{
    const bool absolute = path.starts_with('/');
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        const std::size_t slash = std::min(path.find('/'), path.size());
        const std::string_view part = path.substr(0, slash);
        path.remove_prefix(std::min(slash + 1, path.size()));
        if (part.empty() || part == ".")
            continue;
        if (part != "..")
            parts.push_back(part);
        else if (!parts.empty() && parts.back() != "..")
            parts.pop_back();
        else if (!absolute)
            parts.push_back(part);
    }
    std::string out = absolute ? "/" : "";
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += (i > 0 ? "/" : "") + std::string(parts[i]);
    return out.empty() ? "." : out;
}

// Why `path` cannot be a socket path ("" if it can); `normalised` is set either way.
std::string socket_path_problem(const std::string &path, std::string &normalised)
{
    normalised = normalise_path(path);
    if (std::any_of(path.begin(), path.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        return "must not contain control characters";
    const std::string_view last = std::string_view(path).substr(path.rfind('/') + 1);
    if (last.empty() || last == "." || last == "..")
        return quoted(path) + " names a directory, not a socket file";
    if (normalised.starts_with("../") || normalised == "..")
        return quoted(path) + " leaves $XDG_RUNTIME_DIR; write an absolute path instead";
    if (normalised.size() > max_socket_path)
        return "is " + std::to_string(normalised.size()) +
               " bytes long; a socket path has at most " + std::to_string(max_socket_path);
    return {};
}

// A user or group as the glue will look it up: a plausible name, or a number that is a valid
// id ((uid_t)-1 means "no change" to chown, so it is not one).
bool is_account(std::string_view text)
{
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return text.size() <= 10 && std::stoull(std::string(text)) <= 4294967294ull;
    const auto name_character = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    };
    return !text.empty() && text.size() <= 32 &&
           (text[0] == '_' || (text[0] >= 'a' && text[0] <= 'z')) &&
           std::all_of(text.begin(), text.end(), name_character);
}

// Why a level's name or glyph cannot be drawn as its label ("" if it can): both are drawn
// first and never cut, so nothing in them may be invisible or move the title around. A name
// may hold spaces but not only blanks; a glyph may hold no blank at all.
std::string label_problem(const std::string &text, std::size_t max_code_points, bool is_glyph)
{
    const std::optional<std::u32string> code_points = decode_utf8(text);
    if (!code_points)
        return "must be valid UTF-8";
    if (code_points->empty() || code_points->size() > max_code_points)
        return "must be 1 to " + std::to_string(max_code_points) + " characters, not " +
               std::to_string(code_points->size());
    for (char32_t c : *code_points) {
        if (is_control(c) || is_invisible_format(c))
            return "must not contain control or invisible formatting characters, such as " +
                   code_point_name(c);
        if (is_glyph && is_blank(c))
            return "must not contain blank characters, such as " + code_point_name(c);
    }
    if (std::all_of(code_points->begin(), code_points->end(), is_blank))
        return "must not be only blank characters";
    return {};
}

} // namespace

namespace detail {

FieldReader LevelsReader::id_field(Entry &entry)
{
    return [this, &entry](const toml::node &node, const std::string &name) {
        std::string id;
        if (!values_.set(node, name, id))
            return;
        const bool well_formed =
            !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            });
        if (!well_formed) {
            values_.fail(node.source(),
                         name + " must be 1 to 32 of a-z, 0-9, _ and -, not " + quoted(id));
        } else if (id == "none") {
            values_.fail(node.source(), name + " \"none\" is reserved: plain_socket = \"none\" "
                                               "turns the plain socket off");
        } else {
            std::tie(entry.level.id, entry.id_ok, entry.id_where) =
                std::tuple(id, true, node.source());
        }
    };
}

FieldReader LevelsReader::label_field(std::string &out, std::size_t max_code_points, bool is_glyph,
                                      toml::source_region &where)
{
    return [this, &out, &where, max_code_points, is_glyph](const toml::node &node,
                                                           const std::string &name) {
        std::string text;
        if (!values_.set(node, name, text))
            return;
        if (const std::string problem = label_problem(text, max_code_points, is_glyph);
            !problem.empty())
            values_.fail(node.source(), name + " " + problem);
        else
            std::tie(out, where) = std::tuple(text, node.source());
    };
}

FieldReader LevelsReader::color_field(Rgb &out)
{
    return [this, &out](const toml::node &node, const std::string &name) {
        std::string text;
        if (!values_.set(node, name, text))
            return;
        if (const std::optional<Rgb> color = parse_color(text))
            out = *color;
        else
            values_.fail(node.source(),
                         name + " must be a colour written \"#rrggbb\", not " + quoted(text));
    };
}

FieldReader LevelsReader::socket_field(std::string &out, std::string &key,
                                       toml::source_region &where, bool may_be_empty)
{
    return
        [this, &out, &key, &where, may_be_empty](const toml::node &node, const std::string &name) {
            std::string path, normalised;
            if (!values_.set(node, name, path) || (path.empty() && may_be_empty))
                return;
            if (path.empty()) {
                values_.fail(node.source(), name + " must not be empty");
            } else if (const std::string problem = socket_path_problem(path, normalised);
                       !problem.empty()) {
                values_.fail(node.source(), name + " " + problem);
            } else {
                std::tie(out, key, where) = std::tuple(path, normalised, node.source());
            }
        };
}

// An octal string, so that a decimal 600 (octal 1130) can never be taken for 0600.
FieldReader LevelsReader::mode_field(unsigned &out)
{
    return [this, &out](const toml::node &node, const std::string &name) {
        std::string text;
        if (!values_.check_type(node, name, node.is_string(), "an octal string such as \"0600\"") ||
            !values_.set(node, name, text))
            return;
        const bool octal =
            (text.size() == 3 || (text.size() == 4 && text[0] == '0')) &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
        const unsigned mode = octal ? static_cast<unsigned>(std::stoul(text, nullptr, 8)) : 0;
        if (!octal)
            values_.fail(node.source(), name +
                                            " must be three octal digits with an optional "
                                            "leading 0, such as \"0660\", not " +
                                            quoted(text));
        else if (mode & 07)
            values_.fail(node.source(), name + " " + quoted(text) +
                                            " must not give other users "
                                            "access: its last digit must be 0");
        else if ((mode & 0222) == 0)
            values_.fail(node.source(), name + " " + quoted(text) +
                                            " lets no one connect: "
                                            "connecting needs write permission");
        else
            out = mode;
    };
}

FieldReader LevelsReader::account_field(std::string &out, const char *what)
{
    return [this, &out, what](const toml::node &node, const std::string &name) {
        std::string text;
        if (!values_.set(node, name, text))
            return;
        if (text.empty() || is_account(text))
            out = text;
        else
            values_.fail(node.source(), name + " must be a " + what + " name or a numeric " +
                                            (what[0] == 'u' ? "uid" : "gid") + ", not " +
                                            quoted(text));
    };
}

FieldReader LevelsReader::limit_field(Limit &out)
{
    return [this, &out](const toml::node &node, const std::string &name) {
        if (values_.check_type(node, name, node.is_integer(), "an integer"))
            out = Limit{node.as_integer()->get(), node.source()};
    };
}

void LevelsReader::read_settings(const toml::node &node)
{
    if (!values_.check_type(node, "levels", node.is_table(), "a table"))
        return;
    const auto plain_socket = [this](const toml::node &value, const std::string &name) {
        std::string id;
        if (values_.set(value, name, id))
            std::tie(plain_socket_, plain_socket_where_) = std::tuple(id, value.source());
    };
    values_.read_fields(*node.as_table(), "levels",
                        {{"plain_socket", plain_socket},
                         {"trusted_socket", socket_field(trusted_socket_, trusted_socket_key_,
                                                         trusted_socket_where_, true)}});
}

void LevelsReader::read_levels(const toml::node &node)
{
    if (!values_.check_type(node, "level", node.is_array(),
                            "an array of tables, written [[level]]"))
        return;
    const toml::array &array = *node.as_array();
    // A file of thousands of empty [[level]] tables is read no further than the limit.
    for (std::size_t index = 0; index < std::min(array.size(), max_levels); ++index) {
        const toml::node &element = *array.get(index);
        if (values_.check_type(element, "level[" + std::to_string(index) + "]", element.is_table(),
                               "a table"))
            read_level(*element.as_table(), index);
    }
    if (array.size() > max_levels)
        values_.fail(array.get(max_levels)->source(),
                     "level[" + std::to_string(max_levels) + "] is one too many: at most " +
                         std::to_string(max_levels) + " levels may be configured");
}

void LevelsReader::read_level(const toml::table &table, std::size_t index)
{
    Entry entry;
    entry.prefix = "level[" + std::to_string(index) + "]";
    LevelConfig &level = entry.level;
    toml::source_region unused;
    values_.read_fields(
        table, entry.prefix,
        {{"id", id_field(entry)},
         {"name", label_field(level.name, 32, false, entry.name_where)},
         {"color", color_field(level.color)},
         {"text_color", color_field(level.text_color)},
         {"glyph", label_field(level.glyph, 4, true, unused)},
         {"pattern", values_.choice(level.pattern, {{"none", TitlePattern::none},
                                                    {"stripes", TitlePattern::stripes},
                                                    {"dots", TitlePattern::dots},
                                                    {"checks", TitlePattern::checks}})},
         {"socket", socket_field(level.socket, entry.socket_key, entry.socket_where, false)},
         {"socket_owner", account_field(level.socket_owner, "user")},
         {"socket_group", account_field(level.socket_group, "group")},
         {"socket_mode", mode_field(level.socket_mode)},
         {"max_windows", values_.field(level.max_windows, 1, 1000)},
         {"max_width", limit_field(entry.max_width)},
         {"max_height", limit_field(entry.max_height)}});
    std::vector<std::string> missing;
    for (const char *key : {"id", "name", "color", "text_color", "glyph", "socket"})
        if (!table.contains(key))
            missing.push_back(key);
    std::string list;
    for (const std::string &key : missing)
        list += (list.empty() ? "" : ", ") + key;
    if (!missing.empty())
        values_.fail(table.source(), entry.prefix + " is missing the required key" +
                                         (missing.size() > 1 ? "s " : " ") + list);
    entries_.push_back(std::move(entry));
}

void LevelsReader::check_limit(const Entry &entry, const Limit &limit, const char *key,
                               int global_max)
{
    if (limit.value && (*limit.value < 64 || *limit.value > global_max))
        values_.fail(limit.where, entry.prefix + "." + key + " must be between 64 and " +
                                      std::to_string(global_max) + " (window." + key + "), not " +
                                      std::to_string(*limit.value));
}

// Reports each clash once, at the later level, naming the earliest level it clashes with.
void LevelsReader::check_unique()
{
    for (auto entry = entries_.begin(); entry != entries_.end(); ++entry) {
        const auto earlier = [&](auto same) -> const Entry * {
            const auto found = std::find_if(entries_.begin(), entry, same);
            return found == entry ? nullptr : &*found;
        };
        const std::string &id = entry->level.id, &name = entry->level.name;
        const std::string &socket = entry->level.socket;
        if (const Entry *other = earlier(
                [&](const Entry &e) { return entry->id_ok && e.id_ok && e.level.id == id; }))
            values_.fail(entry->id_where, entry->prefix + ".id " + quoted(id) +
                                              " is already used by " + other->prefix);
        // Two levels must never look alike but for their colour.
        if (const Entry *other =
                earlier([&](const Entry &e) { return !name.empty() && e.level.name == name; }))
            values_.fail(entry->name_where, entry->prefix + ".name " + quoted(name) +
                                                " is already used by " + other->prefix);
        if (const Entry *other = earlier([&](const Entry &e) {
                return !entry->socket_key.empty() && e.socket_key == entry->socket_key;
            }))
            values_.fail(entry->socket_where, entry->prefix + ".socket " + quoted(socket) +
                                                  " is the same socket as " + other->prefix +
                                                  ".socket " + quoted(other->level.socket));
        if (!entry->socket_key.empty() && entry->socket_key == trusted_socket_key_)
            values_.fail(entry->socket_where, entry->prefix + ".socket " + quoted(socket) +
                                                  " is the same socket as levels.trusted_socket");
    }
}

void LevelsReader::finish(const WindowConfig &window, LevelsConfig &out)
{
    for (Entry &entry : entries_) {
        check_limit(entry, entry.max_width, "max_width", window.max_width);
        check_limit(entry, entry.max_height, "max_height", window.max_height);
        // Unset limits stay within a smaller [window] limit rather than break it.
        entry.level.max_width =
            static_cast<int>(entry.max_width.value.value_or(std::min(8192, window.max_width)));
        entry.level.max_height =
            static_cast<int>(entry.max_height.value.value_or(std::min(8192, window.max_height)));
    }
    if (entries_.empty()) { // a single-level desktop
        Entry entry;
        entry.level = LevelConfig{"default",
                                  "Unclassified",
                                  "◇",
                                  {0x5a, 0x5a, 0x5a},
                                  {0xff, 0xff, 0xff},
                                  TitlePattern::none,
                                  "rampart-default",
                                  {},
                                  {},
                                  0600,
                                  64,
                                  window.max_width,
                                  window.max_height};
        entry.id_ok = true; // no socket_key: it has no position to report a clash at
        entries_.push_back(std::move(entry));
        if (trusted_socket_key_ == entries_.back().level.socket)
            values_.fail(trusted_socket_where_, "levels.trusted_socket " + quoted(trusted_socket_) +
                                                    " is the socket of "
                                                    "the default level");
    }
    check_unique();

    std::string known;
    bool ids_ok = true;
    for (const Entry &entry : entries_) {
        known += (known.empty() ? "" : ", ") + entry.level.id;
        ids_ok = ids_ok && entry.id_ok;
    }
    const std::string plain = plain_socket_.value_or(entries_.front().level.id);
    const bool plain_known =
        plain == "none" || std::any_of(entries_.begin(), entries_.end(), [&](const Entry &entry) {
            return entry.id_ok && entry.level.id == plain;
        });
    if (!plain_known && ids_ok) // a refused id is reported already: do not guess further
        values_.fail(plain_socket_where_, "levels.plain_socket " + quoted(plain) +
                                              " is not a level (levels: " + known +
                                              "; or \"none\" for no plain socket)");

    out.levels.clear();
    for (Entry &entry : entries_)
        out.levels.push_back(std::move(entry.level));
    out.plain_socket_level = plain == "none" ? "" : plain;
    out.trusted_socket = trusted_socket_;
}

} // namespace detail

const LevelConfig *find_level(const Config &config, std::string_view id)
{
    for (const LevelConfig &level : config.levels.levels)
        if (level.id == id)
            return &level;
    return nullptr;
}

std::string resolve_socket_path(const std::string &path, const std::string &runtime_dir)
{
    if (path.empty())
        return {};
    if (path[0] == '/')
        return normalise_path(path);
    if (!runtime_dir.starts_with('/')) // wayland refuses an unset XDG_RUNTIME_DIR too
        return {};
    return normalise_path(runtime_dir + "/" + path);
}

} // namespace rampart::config
