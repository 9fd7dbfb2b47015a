// The e2e suites' shared parts: a private XDG_RUNTIME_DIR with the real rampart binary
// (headless, event log on stdout), client processes on its socket, and PNG reading.
#pragma once

#include "support/process.hpp"

#include <cairo.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace rampart::test {

using namespace std::chrono_literals;

inline std::string env_or(const char *name, const char *fallback)
{
    const char *value = std::getenv(name);
    return value ? value : fallback;
}

// A private XDG_RUNTIME_DIR and a rampart process for one test.
class Session {
public:
    // `runtime_dir`: reuse this directory (and keep it) instead of a new private one.
    explicit Session(std::vector<std::string> extra = {}, const std::string &config_text = "",
                     const std::string &runtime_dir = "")
    {
        char pattern[] = "/tmp/rampart-e2e-XXXXXX";
        keep_dir = !runtime_dir.empty();
        dir = keep_dir ? runtime_dir : mkdtemp(pattern);
        chmod(dir.c_str(), 0700);
        setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
        config_path = dir + "/rampart.toml";
        std::ofstream(config_path) << config_text;
        trusted = dir + "/trusted";
        std::vector<std::string> argv = {env_or("RAMPART_BINARY", "rampart"),
                                         "--headless",
                                         "--output-size",
                                         "1280x720",
                                         "--config",
                                         config_path,
                                         "--user-config",
                                         dir + "/user.toml",
                                         "--event-log",
                                         "-",
                                         "--trusted-socket",
                                         trusted};
        argv.insert(argv.end(), extra.begin(), extra.end());
        rampart = std::make_unique<ClientProcess>(argv, "", false);
        ready =
            wait({rampart.get()}, [&] { return rampart->count("ready") > 0 || rampart->exited(); });
        if (ready && rampart->count("ready"))
            socket = (*rampart->last("ready"))["socket"];
    }
    ~Session()
    {
        clients.clear();
        rampart.reset();
        if (!keep_dir)
            std::filesystem::remove_all(dir);
    }

    ClientProcess &start(const std::vector<std::string> &argv, const std::string &display = "")
    {
        clients.push_back(
            std::make_unique<ClientProcess>(argv, display.empty() ? socket : display, true));
        return *clients.back();
    }
    bool wait(const std::vector<ClientProcess *> &processes, const std::function<bool()> &condition,
              std::chrono::milliseconds timeout = 10000ms)
    {
        std::vector<ClientProcess *> all = processes;
        if (rampart && std::find(all.begin(), all.end(), rampart.get()) == all.end())
            all.push_back(rampart.get());
        return wait_for(all, condition, timeout);
    }
    size_t mapped() const { return rampart->count("view_mapped"); }

    std::string dir, config_path, trusted, socket;
    bool ready = false, keep_dir = false;
    std::unique_ptr<ClientProcess> rampart;
    std::vector<std::unique_ptr<ClientProcess>> clients;
};

struct Png {
    explicit Png(const std::string &path)
        : surface(cairo_image_surface_create_from_png(path.c_str()))
    {
    }
    ~Png() { cairo_surface_destroy(surface); }
    bool ok() const { return cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS; }
    uint32_t rgb(int x, int y) const
    {
        auto *data = cairo_image_surface_get_data(surface);
        int stride = cairo_image_surface_get_stride(surface);
        return *reinterpret_cast<uint32_t *>(data + y * stride + x * 4) & 0xffffff;
    }
    int width() const { return cairo_image_surface_get_width(surface); }
    cairo_surface_t *surface;
};

} // namespace rampart::test
