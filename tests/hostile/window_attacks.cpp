// Window floods and oversized titles, plus the wait-for-map / keep-running plumbing the
// window attacks share.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "attacks.hpp"
#include "connection.hpp"
#include "window.hpp"

namespace rampart::hostile {

namespace {

// libwayland 1.21 marshals every message into a 4096-byte buffer and fails the whole
// connection (E2BIG) for anything larger. xdg_toplevel.set_title is an 8-byte header plus
// a string: 4-byte length, the bytes, a NUL, padding to 4 bytes.
constexpr size_t max_message_bytes = 4096;
constexpr size_t largest_title_that_fits = max_message_bytes - 8 - 4 - 1;

} // namespace

std::optional<int> set_up_windows(Connection &connection, Globals &globals, const Options &options)
{
    connection.set_timeout(timeout_of(options));
    std::string error;
    if (!connection.open(options.display, error) ||
        !bind_window_globals(connection, globals, error))
        return report_setup_failure(options, error);
    return std::nullopt;
}

std::optional<int> await_map(Connection &connection, const Window &window, const Options &options)
{
    WaitResult waited =
        connection.wait([&] { return window.mapped() || window.closed(); }, timeout_of(options));
    if (window.mapped() && connection.roundtrip()) {
        Json::event("mapped")
            .num("width", window.size().width)
            .num("height", window.size().height)
            .print();
        return std::nullopt;
    }
    if (!connection.alive()) {
        connection.report_disconnect();
        report_result(options, true, "disconnected before mapping: " + connection.death_summary());
        return exit_disconnected;
    }
    if (waited == WaitResult::signalled || received_signal())
        return report_setup_failure(options, "stopped by a signal before mapping");
    if (window.closed())
        return report_result(options, true, "closed by the compositor before mapping");
    return report_result(options, true,
                         window.mapped() ? "mapped, but no reply after it"
                                         : "not configured within the timeout");
}

int keep_running(Connection &connection, const Options &options,
                 const std::function<Verdict()> &verdict)
{
    if (!options.exit_after_map)
        connection.wait(nullptr, std::nullopt); // until a signal or the connection dies
    if (!connection.alive()) {
        connection.report_disconnect();
        report_result(options, true, "disconnected: " + connection.death_summary());
        return exit_disconnected;
    }
    Verdict result = verdict();
    if (auto signal = received_signal())
        result.detail += " (stopped by signal " + std::to_string(*signal) + ")";
    return report_result(options, result.refused, result.detail);
}

int run_many_windows(const Options &options)
{
    Connection connection;
    Globals globals;
    if (auto code = set_up_windows(connection, globals, options))
        return *code;
    std::string error;
    // One buffer for all: the flood costs the compositor, not us.
    auto shared = ShmBuffer::create(globals.shm.get(), options.size, error);
    if (!shared)
        return report_setup_failure(options, error);
    shared->fill(options.color);

    std::vector<std::unique_ptr<Window>> windows;
    windows.reserve(size_t(options.window_count));
    for (int i = 1; i <= options.window_count && connection.alive(); ++i) {
        WindowSpec spec;
        spec.index = i;
        spec.title = "hostile " + std::to_string(i);
        spec.quiet = true;
        spec.ignore_configure = true;
        spec.shared_buffer = shared.get();
        windows.push_back(std::make_unique<Window>(globals, std::move(spec)));
        if (i % 50 == 0 && !connection.roundtrip() && !connection.alive())
            break;
    }
    auto count = [&](bool (Window::*predicate)() const) {
        int n = 0;
        for (const auto &window : windows)
            n += ((*window).*predicate)();
        return n;
    };
    auto settled = [&] {
        for (const auto &window : windows)
            if (!window->configured() && !window->closed())
                return false;
        return true;
    };
    connection.wait(settled, timeout_of(options));
    if (connection.alive())
        connection.roundtrip(); // the buffers of the last configures reach the compositor

    int created = int(windows.size());
    int configured = count(&Window::configured);
    int closed = count(&Window::closed);
    Json::event("windows")
        .num("requested", options.window_count)
        .num("created", created)
        .num("configured", configured)
        .num("closed_by_compositor", closed)
        .boolean("survived", connection.alive())
        .print();
    if (!connection.alive())
        connection.report_disconnect();
    bool refused = !connection.alive() || closed > 0 || configured < options.window_count;
    std::string detail = std::to_string(configured) + " of " +
                         std::to_string(options.window_count) + " configured, " +
                         std::to_string(closed) + " closed by the compositor";
    if (!connection.alive())
        detail += ", disconnected: " + connection.death_summary();
    if (options.hold && connection.alive())
        return keep_running(connection, options, [&] { return Verdict{refused, detail}; });
    return report_result(options, refused, detail);
}

int run_huge_title(const Options &options)
{
    Connection connection;
    Globals globals;
    if (auto code = set_up_windows(connection, globals, options))
        return *code;
    WindowSpec spec;
    spec.title = "huge-title";
    spec.size = options.size;
    spec.color = options.color;
    Window window(globals, std::move(spec));
    if (auto code = await_map(connection, window, options))
        return *code;

    // The largest title libwayland can carry, on the mapped window.
    size_t sent = std::min<uint64_t>(options.title_bytes, largest_title_that_fits);
    window.set_title(std::string(sent, 'T'));
    bool survived = connection.roundtrip();
    Json::event("title_set").num("bytes", int64_t(sent)).boolean("survived", survived).print();

    std::string detail = "title of " + std::to_string(sent) + " bytes set";
    if (options.title_bytes > sent) {
        // Larger ones kill the sending connection inside libwayland, so try on a second one.
        Connection doomed;
        Globals doomed_globals;
        if (auto code = set_up_windows(doomed, doomed_globals, options))
            return *code;
        WindowSpec doomed_spec;
        doomed_spec.title = "huge-title (oversized)";
        doomed_spec.quiet = true;
        Window doomed_window(doomed_globals, std::move(doomed_spec));
        doomed_window.set_title(std::string(options.title_bytes, 'T'));
        bool doomed_survived = doomed.roundtrip();
        Json line = Json::event("title_too_large");
        line.num("bytes", int64_t(options.title_bytes)).boolean("survived", doomed_survived);
        line.boolean("failed_in_libwayland", !doomed.alive() && !doomed.closed_by_compositor());
        if (!doomed.alive())
            doomed.describe_death(line);
        line.print();
        detail += doomed_survived
                      ? "; " + std::to_string(options.title_bytes) + "-byte title also accepted"
                      : "; a " + std::to_string(options.title_bytes) +
                            "-byte title cannot be sent: " + doomed.death_summary();
    }
    return keep_running(connection, options, [&] { return Verdict{false, detail}; });
}

} // namespace rampart::hostile
