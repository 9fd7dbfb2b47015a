// TOML text -> Config. Every problem becomes an Error that points at the offending text;
// nothing is thrown out of parse() or load(), whatever the input.
#include "config/config.hpp"
#include "config/file_text.hpp"
#include "config/levels.hpp"
#include "config/storage.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace rampart::config {

namespace {

using detail::FieldReader;
using detail::key_name;
using detail::printable;
using detail::quoted;

struct BindingEntry {
    Binding binding;
    bool unbind = false; // the action was "none"
    std::string combo;   // as written, for messages
    toml::source_region where;
};

// Reads one file's table into a Config.
class FileReader : public detail::ValueReader {
public:
    FileReader(const std::string &path, bool is_user, Config &config)
        : ValueReader(path), is_user_(is_user), config_(config), levels_(*this), storage_(*this)
    {
    }

    void read(const toml::table &root);

    std::vector<OutputConfig> outputs;
    std::vector<BindingEntry> bindings;

private:
    void read_outputs(const toml::node &node);
    void read_mode(const toml::node &node, const std::string &name, OutputConfig &output);
    void read_position(const toml::node &node, const std::string &name, OutputConfig &output);
    void read_bindings(const toml::table &table);
    void read_lock(const toml::table &table);
    FieldReader key_field(Binding &out); // a key combination such as "Ctrl+Alt+Delete"

    bool is_user_;
    Config &config_;
    detail::LevelsReader levels_;
    detail::StorageReader storage_;
};

void FileReader::read(const toml::table &root)
{
    for (auto &&[key, node] : root) {
        const std::string name(key.str());
        const bool system_only = name == "general" || name == "window" || name == "levels" ||
                                 name == "level" || name == "storage" || name == "volume";
        const bool known = system_only || name == "keyboard" || name == "pointer" ||
                           name == "cursor" || name == "output" || name == "bindings" ||
                           name == "panel" || name == "lock" || name == "storage" ||
                           name == "volume";
        if (!known) {
            const std::string what = node.is_table() ? "table [" + key_name(name) + "]"
                                     : node.is_array_of_tables()
                                         ? "table [[" + key_name(name) + "]]"
                                         : "key " + key_name(name);
            fail(key.source(),
                 "unknown " + what + " (valid tables: " + (is_user_ ? "" : "general, ") +
                     "keyboard, pointer, cursor, " + (is_user_ ? "" : "window, levels, level, ") +
                     "output, bindings, panel, lock" + (is_user_ ? "" : ", storage, volume") + ")");
        } else if (system_only && is_user_) {
            const std::string header = node.is_array() ? "[[" + name + "]]" : "[" + name + "]";
            fail(key.source(), header + " may only be set in the system config");
        } else if (name == "output") {
            read_outputs(node);
        } else if (name == "levels") {
            levels_.read_settings(node);
        } else if (name == "level") {
            levels_.read_levels(node);
        } else if (name == "volume") {
            storage_.read_volumes(node);
        } else if (name == "storage") {
            storage_.read_settings(node);
        } else if (check_type(node, name, node.is_table(), "a table")) {
            const toml::table &table = *node.as_table();
            KeyboardConfig &keyboard = config_.keyboard;
            PointerConfig &pointer = config_.pointer;
            WindowConfig &window = config_.window;
            if (name == "general")
                read_fields(
                    table, name,
                    {{"log_level", choice(config_.log_level, {{"error", LogLevel::error},
                                                              {"warning", LogLevel::warning},
                                                              {"info", LogLevel::info},
                                                              {"debug", LogLevel::debug}})},
                     {"terminal", field(config_.terminal, false)}});
            else if (name == "keyboard")
                read_fields(table, name,
                            {{"rules", field(keyboard.rules)},
                             {"model", field(keyboard.model)},
                             {"layout", field(keyboard.layout)},
                             {"variant", field(keyboard.variant)},
                             {"options", field(keyboard.options)},
                             {"repeat_rate", field(keyboard.repeat_rate, 0, 100)},
                             {"repeat_delay", field(keyboard.repeat_delay, 100, 5000)}});
            else if (name == "pointer")
                read_fields(table, name,
                            {{"acceleration", field(pointer.acceleration, -1.0, 1.0)},
                             {"natural_scroll", field(pointer.natural_scroll)},
                             {"tap_to_click", field(pointer.tap_to_click)}});
            else if (name == "panel")
                read_fields(
                    table, name,
                    {{"clock_format", field(config_.panel.clock_format, false)},
                     {"security_phrase", field(config_.panel.security_phrase)},
                     {"edge", choice(config_.panel.edge,
                                     {{"top", PanelEdge::top}, {"bottom", PanelEdge::bottom}})},
                     {"secure_attention_key", key_field(config_.panel.secure_attention_key)},
                     {"xray_key", key_field(config_.panel.xray_key)}});
            else if (name == "lock" && is_user_)
                // The user may only shorten the administrator's idle timeout.
                read_fields(table, name,
                            {{"idle_timeout", field(config_.lock.user_idle_timeout, 1, 86400)}});
            else if (name == "lock")
                read_lock(table);
            else if (name == "cursor")
                read_fields(table, name,
                            {{"theme", field(config_.cursor.theme)},
                             {"size", field(config_.cursor.size, 8, 256)}});
            else if (name == "window")
                read_fields(table, name,
                            {{"max_width", field(window.max_width, 64, 16384)},
                             {"max_height", field(window.max_height, 64, 16384)},
                             {"border", field(window.border, 1, 32)},
                             {"title_height", field(window.title_height, 16, 64)},
                             {"fullscreen_border", field(window.fullscreen_border, 1, 32)},
                             {"typing_grace_ms", field(window.typing_grace_ms, 0, 10000)}});
            else
                read_bindings(table);
        }
    }
    // Only now, as [window] may come after [[level]]; the user file cannot change either.
    if (!is_user_)
        levels_.finish(config_.window, config_.levels);
    if (!is_user_)
        storage_.finish(config_.storage);
}

void FileReader::read_lock(const toml::table &table)
{
    LockConfig &lock = config_.lock;
    read_fields(table, "lock",
                {{"idle_timeout", field(lock.idle_timeout, 0, 86400)},
                 {"free_attempts", field(lock.free_attempts, 0, 100)},
                 {"backoff_base", field(lock.backoff_base, 1, 3600)},
                 {"backoff_max", field(lock.backoff_max, 1, 86400)},
                 {"check_timeout", field(lock.check_timeout, 2, 600)},
                 {"show_length", field(lock.show_length)},
                 {"lock_before_sleep", field(lock.lock_before_sleep)},
                 {"logind", field(lock.logind)},
                 {"allow_logind_unlock", field(lock.allow_logind_unlock)},
                 {"authd",
                  choice(lock.authd, {{"spawn", AuthdMode::spawn}, {"system", AuthdMode::system}})},
                 {"authd_path", field(lock.authd_path)},
                 {"authd_socket", field(lock.authd_socket)}});
    if (lock.backoff_max < lock.backoff_base)
        fail(table.source(), "lock.backoff_max must not be less than lock.backoff_base");
    for (const std::string *path : {&lock.authd_path, &lock.authd_socket})
        if (!path->empty() && path->front() != '/')
            fail(table.source(), "lock: authd_path and authd_socket must be absolute paths");
}

FieldReader FileReader::key_field(Binding &out)
{
    return [this, &out](const toml::node &node, const std::string &name) {
        std::string text;
        field(text, false)(node, name);
        if (text.empty())
            return;
        std::string why;
        if (std::optional<Binding> combo = parse_key_combo(text, why))
            out = *combo;
        else
            fail(node.source(), name + ": " + why);
    };
}

void FileReader::read_outputs(const toml::node &node)
{
    if (!check_type(node, "output", node.is_array(), "an array of tables, written [[output]]"))
        return;
    const toml::array &array = *node.as_array();
    std::map<std::string, std::size_t> index_by_name; // to refuse a second entry for a name
    for (std::size_t index = 0; index < array.size(); ++index) {
        const toml::node &element = *array.get(index);
        const std::string prefix = "output[" + std::to_string(index) + "]";
        if (!check_type(element, prefix, element.is_table(), "a table"))
            continue;
        const toml::table &table = *element.as_table();
        OutputConfig output;
        read_fields(
            table, prefix,
            {{"name", field(output.name, false)},
             {"enabled", field(output.enabled)},
             {"mode", [&](auto &value, auto &name) { read_mode(value, name, output); }},
             {"scale", field(output.scale, 1, 4)},
             {"position", [&](auto &value, auto &name) { read_position(value, name, output); }},
             {"transform", choice(output.transform, {{"normal", Transform::normal},
                                                     {"90", Transform::rot90},
                                                     {"180", Transform::rot180},
                                                     {"270", Transform::rot270},
                                                     {"flipped", Transform::flipped},
                                                     {"flipped-90", Transform::flipped90},
                                                     {"flipped-180", Transform::flipped180},
                                                     {"flipped-270", Transform::flipped270}})}});
        const toml::node *name_node = table.get("name");
        if (!name_node) {
            fail(table.source(), prefix + " needs a name, such as name = \"DP-1\"");
        } else if (!output.name.empty()) {
            auto [first, inserted] = index_by_name.emplace(output.name, index);
            if (!inserted)
                fail(name_node->source(), prefix + ".name " + quoted(output.name) +
                                              " is already used by output[" +
                                              std::to_string(first->second) + "]");
            outputs.push_back(std::move(output));
        }
    }
}

// Takes up to five digits from the front of `text`; nullopt if there are none or more.
std::optional<int> take_number(std::string_view &text)
{
    int value = 0;
    std::size_t digits = 0;
    for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
        if (digits == 5)
            return std::nullopt;
        value = value * 10 + (text[digits] - '0');
    }
    text.remove_prefix(digits);
    return digits > 0 ? std::optional(value) : std::nullopt;
}

// "1920x1080", optionally followed by "@60" or "@59.94" (three decimals at most: mHz).
void FileReader::read_mode(const toml::node &node, const std::string &name, OutputConfig &output)
{
    std::string text;
    if (!set(node, name, text))
        return;
    std::string_view rest = text;
    const std::optional<int> width = take_number(rest);
    const bool has_x = rest.starts_with('x');
    rest.remove_prefix(has_x ? 1 : 0);
    const std::optional<int> height = has_x ? take_number(rest) : std::nullopt;
    std::optional<int> refresh_mhz;
    bool well_formed = width && height;
    if (well_formed && rest.starts_with('@')) {
        rest.remove_prefix(1);
        const std::optional<int> hertz = take_number(rest);
        refresh_mhz = hertz.value_or(0) * 1000;
        well_formed = hertz.has_value();
        if (hertz && rest.starts_with('.')) {
            rest.remove_prefix(1);
            std::size_t decimals = 0;
            for (int place = 100; decimals < 3 && decimals < rest.size() && rest[decimals] >= '0' &&
                                  rest[decimals] <= '9';
                 place /= 10)
                *refresh_mhz += (rest[decimals++] - '0') * place;
            well_formed = decimals > 0; // a fourth decimal stays in `rest`: refused below
            rest.remove_prefix(decimals);
        }
    }
    if (!well_formed || !rest.empty())
        fail(node.source(), name +
                                " must look like \"1920x1080\", \"1920x1080@60\" or "
                                "\"1920x1080@59.94\", not " +
                                quoted(text));
    else if (*width < 1 || *width > 16384 || *height < 1 || *height > 16384)
        fail(node.source(),
             name + " width and height must be between 1 and 16384, not " + quoted(text));
    else if (refresh_mhz && (*refresh_mhz < 1000 || *refresh_mhz > 1000000))
        fail(node.source(),
             name + " refresh rate must be between 1 and 1000 Hz, not " + quoted(text));
    else
        std::tie(output.width, output.height, output.refresh_mhz) =
            std::tuple(width, height, refresh_mhz);
}

void FileReader::read_position(const toml::node &node, const std::string &name,
                               OutputConfig &output)
{
    const toml::array *array = node.as_array();
    if (!array || array->size() != 2) {
        fail(node.source(), name + " must be an array of two integers [x, y]");
        return;
    }
    int x = 0, y = 0;
    if (set(*array->get(0), name + "[0]", x, -32768, 32767) &&
        set(*array->get(1), name + "[1]", y, -32768, 32767))
        std::tie(output.x, output.y) = std::tuple(x, y);
}

void FileReader::read_bindings(const toml::table &table)
{
    for (auto &&[key, node] : table) {
        const std::string combo(key.str()), name = "bindings." + key_name(combo);
        std::string why, action;
        std::optional<Binding> binding = parse_key_combo(combo, why);
        if (!binding) {
            fail(key.source(),
                 "invalid key combo " + quoted(combo) + " in [bindings]: " + printable(why, 200));
            continue;
        }
        if (!set(node, name, action))
            continue;
        const std::size_t first = action.find_first_not_of(" \t");
        const bool unbind = first != std::string::npos && action.compare(first, 4, "none") == 0 &&
                            action.find_first_not_of(" \t", first + 4) == std::string::npos;
        if (!unbind && !parse_action(action, *binding, why)) {
            fail(node.source(), name + ": " + printable(why, 300));
            continue;
        }
        BindingEntry entry{std::move(*binding), unbind, combo, key.source()};
        auto same = std::find_if(bindings.begin(), bindings.end(), [&](const BindingEntry &seen) {
            return seen.binding.modifiers == entry.binding.modifiers &&
                   seen.binding.key == entry.binding.key;
        });
        if (same == bindings.end()) {
            bindings.push_back(std::move(entry));
            continue;
        }
        // Report the one further down the file, where a reader notices the repetition.
        auto [earlier, later] = std::minmax(entry, *same, [](auto &a, auto &b) {
            return std::pair(a.where.begin.line, a.where.begin.column) <
                   std::pair(b.where.begin.line, b.where.begin.column);
        });
        fail(later.where, "key combo " + quoted(later.combo) + " in [bindings] is the same as " +
                              quoted(earlier.combo));
    }
}

// Parses one file on top of `config`; its bindings are returned for the caller to apply.
std::optional<Error> read_text(const std::string &text, const std::string &path, bool is_user,
                               Config &config, std::vector<BindingEntry> &bindings)
{
    if (text.size() > detail::max_file_size)
        return Error{path, 0, 0, "the file is larger than 1 MiB"};
    if (std::optional<Error> error = detail::check_nesting(text, path))
        return error;
    toml::table root;
    try {
        root = toml::parse(std::string_view(text), std::string_view(path));
    } catch (const toml::parse_error &error) {
        return Error{path, static_cast<int>(error.source().begin.line),
                     static_cast<int>(error.source().begin.column),
                     printable(error.description(), 300)};
    }
    FileReader reader(path, is_user, config);
    reader.read(root);
    if (std::optional<Error> error = reader.first_error())
        return error;
    // An entry for an output named earlier (in the system file) replaces that one.
    for (OutputConfig &output : reader.outputs) {
        auto same =
            std::find_if(config.outputs.begin(), config.outputs.end(),
                         [&](const OutputConfig &seen) { return seen.name == output.name; });
        if (same != config.outputs.end())
            *same = std::move(output);
        else
            config.outputs.push_back(std::move(output));
    }
    bindings = std::move(reader.bindings);
    return std::nullopt;
}

void apply_bindings(std::vector<Binding> &bindings, const std::vector<BindingEntry> &entries)
{
    for (const BindingEntry &entry : entries) {
        auto same = std::find_if(bindings.begin(), bindings.end(), [&](const Binding &binding) {
            return binding.modifiers == entry.binding.modifiers && binding.key == entry.binding.key;
        });
        if (entry.unbind && same != bindings.end())
            bindings.erase(same);
        else if (!entry.unbind && same != bindings.end())
            *same = entry.binding;
        else if (!entry.unbind)
            bindings.push_back(entry.binding);
    }
}

} // namespace

std::string Error::to_string() const
{
    if (line <= 0) // no position, like a file that cannot be read: "path: message"
        return path + ": " + message;
    return path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult parse(const std::string &system_text, const std::string &system_path,
                 const std::string &user_text, const std::string &user_path)
{
    const std::string *current_path = &system_path;
    try {
        Config config;
        std::vector<BindingEntry> system_bindings, user_bindings;
        if (auto error = read_text(system_text, system_path, false, config, system_bindings))
            return {std::nullopt, std::move(error)};
        current_path = &user_path;
        if (auto error = read_text(user_text, user_path, true, config, user_bindings))
            return {std::nullopt, std::move(error)};
        // Defaults first, so that a file binding one combo keeps the others.
        config.bindings = default_bindings(config.terminal);
        apply_bindings(config.bindings, system_bindings);
        apply_bindings(config.bindings, user_bindings);
        return {std::move(config), std::nullopt};
    } catch (const std::exception &exception) { // std::bad_alloc, in practice
        return {std::nullopt, Error{*current_path, 0, 0,
                                    std::string("cannot parse the file: ") + exception.what()}};
    }
}

const OutputConfig *find_output(const Config &config, const std::string &name)
{
    const OutputConfig *wildcard = nullptr;
    for (const OutputConfig &output : config.outputs) {
        if (output.name == name)
            return &output;
        if (output.name == "*" && !wildcard)
            wildcard = &output;
    }
    return wildcard;
}

} // namespace rampart::config
