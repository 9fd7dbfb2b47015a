// In-process integration harness: a real rampart::Server on the headless backend with the
// pixman renderer, in a private XDG_RUNTIME_DIR; real client processes over its real
// socket; input through headless devices; pixels read back from committed buffers.
// Every wait is on a condition with a deadline: no sleeps.
#pragma once

#include "config/config.hpp"
#include "output.hpp"
#include "popup.hpp"
#include "server.hpp"
#include "view.hpp"
#include "support/process.hpp"

#include <cairo.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rampart::test {

using namespace std::chrono_literals;

struct Pixel {
    uint8_t r, g, b;
    bool near(uint32_t rgb, int tolerance = 8) const;
};

// A copy of a committed frame.
class Image {
public:
    explicit Image(cairo_surface_t *surface) : surface_(surface) {}
    Image(Image &&other) noexcept : surface_(other.surface_) { other.surface_ = nullptr; }
    Image &operator=(Image &&other) noexcept;
    ~Image();
    int width() const;
    int height() const;
    Pixel at(int x, int y) const;
    bool write_png(const std::string &path) const;
    // Whether any pixel in the box (clipped to the image) is within tolerance of rgb.
    bool any_in(const wm::Box &box, uint32_t rgb, int tolerance = 8) const;
    bool all_in(const wm::Box &box, uint32_t rgb, int tolerance = 8) const;

private:
    cairo_surface_t *surface_ = nullptr;
};

struct HarnessOptions {
    int outputs = 1;
    int width = 1280, height = 720;
    std::string config_text = {}; // system config TOML; empty for defaults
    bool start_locked = false;
    std::string authd_path = {};     // empty: $RAMPART_AUTHD (set by meson)
    std::string runtime_dir = {};    // empty: a new private one, removed at the end; else kept
    std::string socket_name = {};    // empty: the first free wayland-N
    std::string logind_bus = "none"; // a private bus with a fake logind; "none": no logind
};

class Harness {
public:
    explicit Harness(HarnessOptions options = {});
    ~Harness();
    Harness(const Harness &) = delete;
    Harness &operator=(const Harness &) = delete;

    Server &server() { return *server_; }
    // Events the server wrote to its event log, parsed, in order.
    const std::vector<Event> &server_events() const { return server_events_; }
    size_t server_event_count(const std::string &name, const Event &match = {}) const;

    // Runs the compositor's event loop until `condition` holds or `timeout` passes.
    bool wait_until(const std::function<bool()> &condition,
                    std::chrono::milliseconds timeout = 5000ms);

    // Starts rampart-test-client with `args` on the compositor's socket.
    ClientProcess &start_client(const std::vector<std::string> &args);
    // Starts any program on the compositor's socket.
    ClientProcess &start_program(const std::vector<std::string> &argv);
    // The same on a level's own socket, or on the trusted socket.
    ClientProcess &start_client_at(const std::string &level_id,
                                   const std::vector<std::string> &args);
    ClientProcess &start_program_at(const std::string &level_id,
                                    const std::vector<std::string> &argv);
    ClientProcess &start_trusted(const std::vector<std::string> &argv);
    std::string level_socket(const std::string &level_id) const;
    std::string trusted_socket() const { return runtime_dir_ + "/trusted"; }
    int level_index(const std::string &level_id) const;

    // Views.
    View *view_by_pid(pid_t pid, size_t index = 0);
    View *wait_for_view(ClientProcess &client, size_t index = 0);

    // Input through headless devices.
    void key(uint32_t evdev_keycode, bool pressed);
    void tap_key(uint32_t evdev_keycode);
    void chord(std::initializer_list<uint32_t> keycodes); // press all, release in reverse
    // Types printable ASCII on the US layout (Shift where needed), one character at a time,
    // reading `text` in place: no copy of it is made (the memory-scan test relies on that).
    void type_text(std::string_view text);
    void pointer_to(double lx, double ly);
    void button(uint32_t button, bool pressed);
    void click(double lx, double ly, uint32_t button = 0x110 /* BTN_LEFT */);

    // Outputs and pixels.
    Output &output(size_t index = 0);
    wlr_output *add_output(int width, int height);
    // Forces a full repaint of `output` and returns the next frame it commits.
    Image capture(size_t output_index = 0);
    uint64_t commits(size_t output_index = 0);

    // Where test artefacts (screenshots) go: $RAMPART_TEST_OUT or the build's test dir.
    static std::string artefact_path(const std::string &name);

private:
    void pump();

    std::string runtime_dir_;
    bool own_runtime_dir_ = true;
    std::unique_ptr<Server> server_;
    wlr_input_device *keyboard_ = nullptr;
    wlr_input_device *pointer_ = nullptr;
    uint32_t time_msec_ = 1;
    std::vector<std::unique_ptr<ClientProcess>> clients_;
    std::vector<Event> server_events_;
};

} // namespace rampart::test
