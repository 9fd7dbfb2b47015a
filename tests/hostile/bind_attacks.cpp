// Listing globals, and binding privileged ones by name or by guessing their numeric name.
#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "attacks.hpp"
#include "connection.hpp"
#include "probes.hpp"

namespace rampart::hostile {

namespace {

// The interface description to bind with: the real one if we have protocol code for it.
const wl_interface &interface_for(std::string_view name)
{
    const KnownInterface *known = find_known_interface(name);
    return known ? *known->interface : stub_interface(name);
}

// libwayland checks a bind's interface name before the global filter, and its error then
// names the real interface of the global: "invalid interface for global N: have A, wanted B".
std::optional<std::string> leaked_interface(std::string_view message)
{
    constexpr std::string_view marker = ", wanted ";
    auto at = message.find(marker);
    if (message.find("invalid interface for global") == std::string_view::npos ||
        at == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = message.substr(at + marker.size());
    return std::string(rest.substr(0, rest.find_first_of(" ,)")));
}

} // namespace

int report_result(const Options &options, bool refused, const std::string &detail)
{
    Json::event("result")
        .str("attack", options.attack_name)
        .boolean("refused", refused)
        .str("detail", detail)
        .print();
    return refused ? exit_refused : exit_succeeded;
}

int report_setup_failure(const Options &options, const std::string &detail)
{
    Json::event("result")
        .str("attack", options.attack_name)
        .boolean("refused", false)
        .boolean("setup_failed", true)
        .str("detail", detail)
        .print();
    return exit_setup;
}

int run_list_globals(const Options &options)
{
    Connection connection;
    connection.set_timeout(timeout_of(options));
    std::string error;
    if (!connection.open(options.display, error))
        return report_setup_failure(options, error);
    std::vector<std::string> names;
    std::string details = "[";
    for (const Global &global : connection.globals()) {
        names.push_back(global.interface);
        if (details.size() > 1)
            details += ',';
        details += Json::object()
                       .str("interface", global.interface)
                       .num("name", global.name)
                       .num("version", global.version)
                       .text();
    }
    Json::event("globals").strs("names", names).raw("globals", details + "]").print();
    report_result(options, false, std::to_string(names.size()) + " globals (not an attack)");
    return 0;
}

int run_list_privileged(const Options &options)
{
    std::vector<std::string> privileged, allowed;
    for (const KnownInterface &known : known_interfaces())
        (known.privileged ? privileged : allowed).push_back(known.interface->name);
    Json::event("known_interfaces").strs("privileged", privileged).strs("allowed", allowed).print();
    report_result(options, false, "not an attack");
    return 0;
}

int run_bind_by_name(const Options &options)
{
    Connection connection;
    connection.set_timeout(timeout_of(options));
    std::string error;
    if (!connection.open(options.display, error))
        return report_setup_failure(options, error);
    const Global *global = connection.find(options.interface);
    if (!global) {
        Json::event("bind")
            .str("interface", options.interface)
            .boolean("advertised", false)
            .print();
        return report_result(options, true, "not advertised");
    }
    const KnownInterface *known = find_known_interface(options.interface);
    uint32_t version = std::min(global->version, known ? known->implemented : 1u);
    Json::event("bind")
        .str("interface", options.interface)
        .boolean("advertised", true)
        .num("name", global->name)
        .num("advertised_version", global->version)
        .num("version", version)
        .boolean("known_interface", known != nullptr)
        .print();
    ProbeContext context{connection, timeout_of(options)};
    ProbeOutcome outcome =
        bind_and_probe(context, global->name, interface_for(options.interface), version);
    if (!connection.alive())
        connection.report_disconnect();
    if (outcome.inconclusive)
        return report_setup_failure(options, outcome.detail);
    return report_result(options, outcome.refused, outcome.detail);
}

int run_bind_by_number(const Options &options)
{
    Connection scout;
    scout.set_timeout(timeout_of(options));
    std::string error;
    if (!scout.open(options.display, error))
        return report_setup_failure(options, error);
    const Global *advertised = scout.find(options.interface);
    Json line = Json::event("advertised").str("interface", options.interface);
    advertised ? line.num("name", advertised->name) : line.null("name");
    line.print();

    const wl_interface &interface = interface_for(options.interface);
    int attempts = 0, skipped = 0, inconclusive = 0;
    std::vector<std::string> leaks;
    for (uint32_t number = 1; number <= options.max_number; ++number) {
        // Binding a name advertised as something else only proves libwayland checks the
        // interface name; the interesting names are the ones this client was not shown.
        const Global *global = scout.find(number);
        if (global && global->interface != options.interface) {
            ++skipped;
            continue;
        }
        if (received_signal())
            return report_setup_failure(options, "interrupted by a signal after " +
                                                     std::to_string(attempts) + " attempts");
        // One attempt per connection: a refused bind is fatal to the connection.
        Connection connection;
        connection.set_timeout(timeout_of(options));
        if (!connection.open(options.display, error))
            return report_setup_failure(options,
                                        "attempt " + std::to_string(number) + ": " + error);
        ProbeContext context{connection, timeout_of(options)};
        ProbeOutcome outcome = bind_and_probe(context, number, interface, 1);
        ++attempts;
        Json attempt = Json::event("bind_attempt").num("number", number);
        attempt.boolean("survived", connection.alive()).boolean("refused", outcome.refused);
        attempt.str("detail", outcome.detail);
        if (!connection.alive())
            connection.describe_death(attempt); // the "disconnected" fields, one line per try
        if (auto leaked = leaked_interface(outcome.detail)) {
            attempt.str("leaked_interface", *leaked);
            leaks.push_back(std::to_string(number) + "=" + *leaked);
        }
        attempt.print();
        if (outcome.inconclusive) {
            ++inconclusive;
            continue;
        }
        if (!outcome.refused)
            return report_result(options, false,
                                 "bound " + options.interface + " as name " +
                                     std::to_string(number) + ": " + outcome.detail);
    }
    if (received_signal()) // the last attempt was cut short
        return report_setup_failure(options, "interrupted by a signal after " +
                                                 std::to_string(attempts) + " attempts");
    std::string detail = "all " + std::to_string(attempts) + " attempts refused (" +
                         std::to_string(skipped) + " names advertised as other interfaces skipped";
    if (inconclusive)
        detail += ", " + std::to_string(inconclusive) + " failed locally";
    detail += ")";
    if (!leaks.empty()) {
        std::string list;
        for (const std::string &leak : leaks)
            list += (list.empty() ? "" : ", ") + leak;
        detail += "; the error text named hidden globals: " + list;
    }
    return report_result(options, true, detail);
}

} // namespace rampart::hostile
