// Lock-screen benchmark (issue 5), in process on the headless backend with the pixman
// renderer, the real broker and real PAM (pam_wrapper + pam_matrix):
//  1. lock latency: from the lock request to the lock committed on every output, for 1, 2
//     and 3 outputs of 1920x1080 with an animating client behind;
//  2. responsiveness while a slow PAM module (3 s) checks: the pointer moves every 8 ms and
//     each move needs a frame; frames per second and the longest gap between frames, against
//     the same while idle at the lock screen. The broker runs PAM in other processes, so the
//     compositor's loop must not notice.
// Usage: lock-bench [--runs N] [--out FILE]   (env: RAMPART_AUTHD, RAMPART_TEST_PAM_MODULE,
// RAMPART_TEST_CLIENT, as for the integration tests; bench/run-lock.sh sets them)
#include "harness.hpp"
#include "lock/lock_screen.hpp"
#include "support/memory_scan.hpp"
#include "support/pam_fixture.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

using namespace rampart;
using namespace rampart::test;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Stats {
    double median = 0, p90 = 0, max = 0;
};

Stats stats(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    if (values.empty())
        return {};
    return {values[values.size() / 2], values[values.size() * 9 / 10], values.back()};
}

void unlock(Harness &h, const SecretPage &password)
{
    size_t before = h.server_event_count("unlocked");
    h.wait_until([&] {
        return h.server_event_count("lock_prompt") > 0 &&
               h.server().lock_screen->controller().phase() == lockscreen::Phase::prompting;
    });
    h.type_text(password.text());
    h.tap_key(KEY_ENTER);
    h.wait_until([&] { return h.server_event_count("unlocked") > before; }, 10000ms);
}

std::vector<double> lock_latencies(int outputs, int runs, const SecretPage &password)
{
    Harness h({.outputs = outputs, .width = 1920, .height = 1080});
    ClientProcess &client = h.start_client({"--size", "1280x720", "--animate", "full"});
    h.wait_for_view(client);
    std::vector<double> latencies;
    for (int run = 0; run < runs; ++run) {
        h.wait_until([] { return false; }, 50ms); // let the client animate
        size_t shown = h.server_event_count("locked_shown");
        Clock::time_point start = Clock::now();
        h.server().lock("bench");
        h.wait_until([&] { return h.server_event_count("locked_shown") > shown; });
        latencies.push_back(ms_since(start));
        unlock(h, password);
    }
    return latencies;
}

struct FrameRun {
    double fps = 0, longest_gap_ms = 0;
};

// Moves the pointer every 8 ms for `seconds` and records when frames were committed.
FrameRun frames_while(Harness &h, double seconds)
{
    std::vector<Clock::time_point> commits;
    Output &output = h.output(0);
    output.on_commit_buffer = [&](wlr_buffer *) { commits.push_back(Clock::now()); };
    Clock::time_point start = Clock::now();
    int step = 0;
    while (ms_since(start) < seconds * 1000) {
        h.pointer_to(200 + (step % 400), 300 + (step % 200));
        ++step;
        h.wait_until([] { return false; }, 8ms);
    }
    output.on_commit_buffer = nullptr;
    FrameRun run;
    run.fps = commits.size() / seconds;
    for (size_t i = 1; i < commits.size(); ++i)
        run.longest_gap_ms = std::max(
            run.longest_gap_ms,
            std::chrono::duration<double, std::milli>(commits[i] - commits[i - 1]).count());
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    int runs = 20;
    std::string out_path;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--runs" && i + 1 < argc)
            runs = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--out" && i + 1 < argc)
            out_path = argv[++i];
        else {
            std::fprintf(stderr, "usage: lock-bench [--runs N] [--out FILE]\n");
            return 2;
        }
    }
    SecretPage password(16);
    std::ostringstream report;
    report << "| lock latency, request to lock committed on every output | median ms | p90 ms | "
              "max ms |\n|---|---|---|---|\n";
    {
        PamFixture pam(password.view(), PamFixture::matrix_stack);
        for (int outputs = 1; outputs <= 3; ++outputs) {
            Stats s = stats(lock_latencies(outputs, runs, password));
            char line[200];
            std::snprintf(line, sizeof line,
                          "| %d x 1920x1080, animating client behind | %.1f | "
                          "%.1f | %.1f |\n",
                          outputs, s.median, s.p90, s.max);
            report << line;
            std::fputs(line, stderr);
        }
    }
    {
        PamFixture pam(password.view(), "auth required @MATRIX@\n"
                                        "auth required @TEST@ sleep_ms=3000\n"
                                        "account required @MATRIX@\n");
        Harness h({.width = 1920, .height = 1080});
        h.server().lock("bench");
        h.wait_until([&] { return h.server_event_count("lock_prompt") > 0; });
        FrameRun idle = frames_while(h, 2.0);
        h.type_text(password.text());
        h.tap_key(KEY_ENTER);
        FrameRun checking = frames_while(h, 2.0); // inside the 3 s the module sleeps
        bool still_checking =
            h.server().lock_screen->controller().phase() == lockscreen::Phase::checking;
        h.wait_until([&] { return h.server_event_count("unlocked") > 0; }, 10000ms);
        char lines[400];
        std::snprintf(lines, sizeof lines,
                      "\n| pointer moving every 8 ms at the lock screen | frames/s | longest gap "
                      "ms |\n|---|---|---|\n| idle at the prompt | %.1f | %.1f |\n"
                      "| while a 3 s PAM module checks%s | %.1f | %.1f |\n",
                      idle.fps, idle.longest_gap_ms, still_checking ? "" : " (check ended early!)",
                      checking.fps, checking.longest_gap_ms);
        report << lines;
    }
    std::fputs(report.str().c_str(), stdout);
    if (!out_path.empty())
        std::ofstream(out_path) << report.str();
    return 0;
}
