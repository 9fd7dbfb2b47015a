// Times one panel update, layout_panel + render_panel into an image surface, for a 30-window
// model, and prints markdown table rows (median and 95th percentile, microseconds).
// "typical": each update changes what a real one does (the clock, the focus, now and then a
// title), so most text comes from the cache. "cold": the text cache is emptied before every
// update, as after a theme or scale change: everything is shaped again.
//   panel-bench [iterations [typical|cold]]   (default: 2000, both)
#include "layout.hpp"
#include "render.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace rampart::panel;
using rampart::wm::Colour;

namespace {

PanelModel thirty_windows()
{
    static const char *const titles[] = {
        "Terminal — ~/src/rampart",
        "Mail — Inbox (12)",
        "quarterly-report-2024.odt",
        "Firefox — Intranet wiki",
        "Files — Documents",
        "Calculator",
        "vim compositor/frame.cpp",
        "Meeting notes — LibreOffice",
        "Chat — #ops",
        "htop",
    };
    PanelModel model;
    model.levels = {
        {"public", "Public", "○", Colour::from_rgb(0x2e, 0x7d, 0x32), {1, 1, 1, 1}, 0},
        {"internal", "Internal", "◆", Colour::from_rgb(0x15, 0x65, 0xc0), {1, 1, 1, 1}, 1},
        {"secret", "Secret", "▲", Colour::from_rgb(0xc6, 0x28, 0x28), {1, 1, 1, 1}, 2}};
    model.trusted = {"rampart",    "Rampart", "◇", Colour::from_rgb(0x8e, 0x6f, 0xd8),
                     {1, 1, 1, 1}, 0};
    for (uint64_t id = 0; id < 30; ++id)
        model.windows.push_back({id + 1, static_cast<int>(id / 10), titles[id % 10], id == 0});
    model.focused_level = 0;
    model.security_phrase = "blue heron at dawn";
    model.layout_name = "English (US)";
    model.clock_text = "14:05";
    return model;
}

// What changes between two updates: the clock every time, the focus every other time (to
// another window, sometimes of another level), one title every tenth time.
void next_update(PanelModel &model, int i)
{
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", i / 60 % 24, i % 60);
    model.clock_text = clock;
    if (i % 2 == 0) {
        const std::size_t focused = static_cast<std::size_t>(i / 2 * 7 % 30);
        for (std::size_t w = 0; w < model.windows.size(); ++w)
            model.windows[w].focused = w == focused;
        model.focused_level = model.windows[focused].level;
    }
    if (i % 10 == 0)
        model.windows[3].title = "Terminal — ~/build " + std::to_string(i);
}

struct SurfaceFree {
    void operator()(cairo_surface_t *surface) const { cairo_surface_destroy(surface); }
};
struct ContextFree {
    void operator()(cairo_t *cr) const { cairo_destroy(cr); }
};

void run(const char *name, int width, int height, double scale, bool cold, int iterations)
{
    std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
    std::unique_ptr<cairo_t, ContextFree> cr(cairo_create(surface.get()));
    PanelModel model = thirty_windows();
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(iterations));
    for (int i = -100; i < iterations; ++i) { // the first 100 warm up fonts and caches
        next_update(model, i + 100);
        if (cold)
            clear_text_cache();
        const auto start = std::chrono::steady_clock::now();
        const PanelLayout layout = layout_panel(model, width, height, scale);
        render_panel(cr.get(), model, layout);
        cairo_surface_flush(surface.get());
        const auto end = std::chrono::steady_clock::now();
        if (i >= 0)
            micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::sort(micros.begin(), micros.end());
    const double median = micros[micros.size() / 2];
    const double p95 = micros[std::min(micros.size() - 1, micros.size() * 95 / 100)];
    std::printf("| %dx%d @%g | %s | %d | %.0f | %.0f |\n", width, height, scale, name, iterations,
                median, p95);
}

} // namespace

int main(int argc, char **argv)
{
    const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2000;
    const std::string only = argc > 2 ? argv[2] : "";
    std::printf("| strip | update | runs | median µs | p95 µs |\n|---|---|---|---|---|\n");
    for (const char *kind : {"typical", "cold"}) {
        if (!only.empty() && only != kind)
            continue;
        run(kind, 1920, 28, 1, kind == std::string("cold"), iterations);
        run(kind, 3840, 56, 2, kind == std::string("cold"), iterations);
    }
    return 0;
}
