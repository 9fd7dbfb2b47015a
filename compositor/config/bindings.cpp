// Key combos ("Super+Shift+Return"), action names and the default bindings.
#include "config/config.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace rampart::config {

namespace {

struct ModifierName {
    std::string_view name; // lower case; matched case-insensitively
    Modifier bit;
};

constexpr std::array<ModifierName, 11> modifier_names{{
    {"super", super},
    {"logo", super},
    {"mod4", super},
    {"shift", shift},
    {"ctrl", ctrl},
    {"control", ctrl},
    {"alt", alt},
    {"mod1", alt},
    {"mod2", mod2},
    {"mod3", mod3},
    {"mod5", mod5},
}};

// Indexed by Action, so action_name() is a lookup.
constexpr std::array<std::string_view, 11> action_names{
    "spawn",          "close",       "focus-next", "focus-prev", "maximize", "fullscreen",
    "send-to-output", "next-layout", "lock",       "reload",     "exit",
};
static_assert(action_names.size() == std::size_t(Action::exit) + 1);

char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

std::optional<Modifier> modifier_from_name(std::string_view name)
{
    for (const ModifierName &candidate : modifier_names) {
        if (candidate.name.size() != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = to_lower(name[i]) == candidate.name[i];
        if (same)
            return candidate.bit;
    }
    return std::nullopt;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// Keysym names never hold spaces or control characters; such a key can never match.
bool is_plausible_key_name(std::string_view key)
{
    for (char c : key) {
        auto byte = static_cast<unsigned char>(c);
        if (byte <= ' ' || byte == 0x7f)
            return false;
    }
    return true;
}

} // namespace

std::optional<Binding> parse_key_combo(const std::string &combo, std::string &why)
{
    Binding binding;
    std::string_view rest = combo;
    for (;;) {
        const std::size_t plus = rest.find('+');
        const std::string_view part = trim(rest.substr(0, plus));
        if (part.empty()) {
            why = trim(combo).empty() ? "the key combo is empty"
                                      : "it has an empty part (the + key is called \"plus\")";
            return std::nullopt;
        }
        if (plus == std::string_view::npos) {
            if (modifier_from_name(part)) {
                why = "it has no key after the modifiers";
                return std::nullopt;
            }
            if (!is_plausible_key_name(part)) {
                why = "the key name contains a space or a control character";
                return std::nullopt;
            }
            binding.key = part;
            return binding;
        }
        const std::optional<Modifier> modifier = modifier_from_name(part);
        if (!modifier) {
            why = "unknown modifier \"" + std::string(part) +
                  "\" (valid modifiers: Super, Logo, Mod4, Shift, Ctrl, Control, Alt, Mod1, "
                  "Mod2, Mod3, Mod5)";
            return std::nullopt;
        }
        binding.modifiers |= *modifier;
        rest.remove_prefix(plus + 1);
    }
}

std::string_view action_name(Action action)
{
    const auto index = static_cast<std::size_t>(action);
    return index < action_names.size() ? action_names[index] : "unknown";
}

std::optional<Action> action_from_name(std::string_view name)
{
    for (std::size_t i = 0; i < action_names.size(); ++i) {
        if (action_names[i] == name)
            return static_cast<Action>(i);
    }
    return std::nullopt;
}

bool parse_action(const std::string &text, Binding &binding, std::string &why)
{
    const std::string_view value = trim(text);
    const std::size_t space = std::min(value.find_first_of(" \t"), value.size());
    const std::string_view word = value.substr(0, space);
    const std::string_view argument = trim(value.substr(space));
    const std::optional<Action> action = action_from_name(word);
    if (word == "none") { // the caller handles a plain "none"
        why = "none removes a binding and takes no argument";
        return false;
    }
    if (!action) {
        why = "unknown action \"" + std::string(word) + "\" (valid actions: ";
        for (std::string_view name : action_names)
            why += std::string(name) + ", ";
        why += "or none to remove the binding)";
        return false;
    }
    const bool takes_argument = *action == Action::spawn || *action == Action::send_to_output;
    if (takes_argument && argument.empty()) {
        why = *action == Action::spawn ? "spawn needs a command, such as \"spawn foot\""
                                       : "send-to-output needs next, prev or an output name";
        return false;
    }
    if (!takes_argument && !argument.empty()) {
        why = std::string(word) + " takes no argument";
        return false;
    }
    binding.action = *action;
    binding.argument = argument;
    return true;
}

std::vector<Binding> default_bindings(const std::string &terminal)
{
    return {
        {super, "Return", Action::spawn, terminal},
        {super | shift, "q", Action::close, {}},
        {alt, "Tab", Action::focus_next, {}},
        {alt | shift, "Tab", Action::focus_prev, {}},
        {super, "m", Action::maximize, {}},
        {super, "f", Action::fullscreen, {}},
        {super, "o", Action::send_to_output, "next"},
        {super, "space", Action::next_layout, {}},
        {super, "l", Action::lock, {}},
        {super | shift, "r", Action::reload, {}},
        {super | shift, "e", Action::exit, {}},
    };
}

} // namespace rampart::config
