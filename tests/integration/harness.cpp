#include "harness.hpp"

#include "input/input_manager.hpp"
#include "render/cairo_buffer.hpp"
#include "util/log.hpp"

#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char **environ;

namespace rampart::test {

bool Pixel::near(uint32_t rgb, int tolerance) const
{
    auto close = [tolerance](int a, int b) { return std::abs(a - b) <= tolerance; };
    return close(r, (rgb >> 16) & 0xff) && close(g, (rgb >> 8) & 0xff) && close(b, rgb & 0xff);
}

Image &Image::operator=(Image &&other) noexcept
{
    std::swap(surface_, other.surface_);
    return *this;
}

Image::~Image()
{
    if (surface_)
        cairo_surface_destroy(surface_);
}

int Image::width() const
{
    return surface_ ? cairo_image_surface_get_width(surface_) : 0;
}
int Image::height() const
{
    return surface_ ? cairo_image_surface_get_height(surface_) : 0;
}

Pixel Image::at(int x, int y) const
{
    if (!surface_ || x < 0 || y < 0 || x >= width() || y >= height())
        return {0, 0, 0};
    const unsigned char *data = cairo_image_surface_get_data(surface_);
    int stride = cairo_image_surface_get_stride(surface_);
    uint32_t value = *reinterpret_cast<const uint32_t *>(data + y * stride + x * 4);
    return {static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 8),
            static_cast<uint8_t>(value)};
}

bool Image::write_png(const std::string &path) const
{
    return surface_ && cairo_surface_write_to_png(surface_, path.c_str()) == CAIRO_STATUS_SUCCESS;
}

bool Image::any_in(const wm::Box &box, uint32_t rgb, int tolerance) const
{
    wm::Box clipped = wm::intersect(box, {0, 0, width(), height()});
    for (int y = clipped.y; y < clipped.y + clipped.height; ++y)
        for (int x = clipped.x; x < clipped.x + clipped.width; ++x)
            if (at(x, y).near(rgb, tolerance))
                return true;
    return false;
}

bool Image::all_in(const wm::Box &box, uint32_t rgb, int tolerance) const
{
    wm::Box clipped = wm::intersect(box, {0, 0, width(), height()});
    if (clipped.empty())
        return false;
    for (int y = clipped.y; y < clipped.y + clipped.height; ++y)
        for (int x = clipped.x; x < clipped.x + clipped.width; ++x)
            if (!at(x, y).near(rgb, tolerance))
                return false;
    return true;
}

Harness::Harness(HarnessOptions options)
{
    char pattern[] = "/tmp/rampart-test-XXXXXX";
    if (!options.runtime_dir.empty()) {
        runtime_dir_ = options.runtime_dir;
        own_runtime_dir_ = false;
        mkdir(runtime_dir_.c_str(), 0700);
    } else if (!mkdtemp(pattern)) {
        throw std::runtime_error("mkdtemp failed");
    } else {
        runtime_dir_ = pattern;
    }
    chmod(runtime_dir_.c_str(), 0700);
    setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
    // Keep test output readable: warnings and security events only.
    log::init(log::Level::warning, log::Sink::stderr_only);

    config::LoadResult loaded = config::parse(options.config_text, "test.toml", "", "user.toml");
    if (!loaded.config)
        throw std::runtime_error("test config: " + loaded.error->to_string());
    ServerOptions server_options;
    server_options.backend = ServerOptions::Backend::headless;
    server_options.headless_outputs = options.outputs;
    server_options.headless_width = options.width;
    server_options.headless_height = options.height;
    server_options.handle_signals = false;
    server_options.trusted_socket_path = runtime_dir_ + "/trusted";
    // The system config as a file too: the broker reads its [[volume]] entries from it.
    server_options.system_config_path = runtime_dir_ + "/rampart.toml";
    std::ofstream(server_options.system_config_path) << options.config_text;
    server_options.start_locked = options.start_locked;
    server_options.socket_name = options.socket_name;
    server_options.logind_bus_address = options.logind_bus;
    const char *authd = getenv("RAMPART_AUTHD");
    server_options.authd_path = !options.authd_path.empty() ? options.authd_path
                                : authd                     ? authd
                                                            : "";
    server_ = std::make_unique<Server>(server_options, *loaded.config);
    server_->events.observer = [this](const std::string &line) {
        server_events_.push_back(parse_event(line));
    };
    std::string error;
    if (!server_->start(error))
        throw std::runtime_error("server start: " + error);
    keyboard_ = wlr_headless_add_input_device(server_->headless_backend, WLR_INPUT_DEVICE_KEYBOARD);
    pointer_ = wlr_headless_add_input_device(server_->headless_backend, WLR_INPUT_DEVICE_POINTER);
    wait_until([&] { return server_->outputs.size() == static_cast<size_t>(options.outputs); });
}

Harness::~Harness()
{
    clients_.clear();
    server_.reset();
    if (own_runtime_dir_)
        std::filesystem::remove_all(runtime_dir_);
}

void Harness::pump()
{
    wl_display_flush_clients(server_->display);
    wl_event_loop_dispatch(server_->loop, 5);
    wl_display_flush_clients(server_->display);
    for (auto &client : clients_)
        client->read_available();
}

bool Harness::wait_until(const std::function<bool()> &condition, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
    for (;;) {
        pump();
        if (condition())
            return true;
        if (std::chrono::steady_clock::now() > deadline)
            return false;
    }
}

ClientProcess &Harness::start_client(const std::vector<std::string> &args)
{
    const char *binary = std::getenv("RAMPART_TEST_CLIENT");
    std::vector<std::string> argv = {binary ? binary : "rampart-test-client", "--log"};
    argv.insert(argv.end(), args.begin(), args.end());
    return start_program(argv);
}

ClientProcess &Harness::start_program(const std::vector<std::string> &argv)
{
    clients_.push_back(std::make_unique<ClientProcess>(argv, server_->socket_name));
    return *clients_.back();
}

size_t Harness::server_event_count(const std::string &name, const Event &match) const
{
    size_t n = 0;
    for (const Event &event : server_events_)
        n += matches(event, name, match);
    return n;
}

std::string Harness::level_socket(const std::string &level_id) const
{
    const config::LevelConfig *level = config::find_level(server_->config, level_id);
    if (!level)
        throw std::runtime_error("no level " + level_id);
    return config::resolve_socket_path(level->socket, runtime_dir_);
}

int Harness::level_index(const std::string &level_id) const
{
    const auto &levels = server_->config.levels.levels;
    for (size_t i = 0; i < levels.size(); ++i)
        if (levels[i].id == level_id)
            return static_cast<int>(i);
    return Server::unknown_level;
}

ClientProcess &Harness::start_client_at(const std::string &level_id,
                                        const std::vector<std::string> &args)
{
    const char *binary = std::getenv("RAMPART_TEST_CLIENT");
    std::vector<std::string> argv = {binary ? binary : "rampart-test-client", "--log"};
    argv.insert(argv.end(), args.begin(), args.end());
    return start_program_at(level_id, argv);
}

ClientProcess &Harness::start_program_at(const std::string &level_id,
                                         const std::vector<std::string> &argv)
{
    clients_.push_back(std::make_unique<ClientProcess>(argv, level_socket(level_id)));
    return *clients_.back();
}

ClientProcess &Harness::start_trusted(const std::vector<std::string> &argv)
{
    clients_.push_back(std::make_unique<ClientProcess>(argv, trusted_socket()));
    return *clients_.back();
}

View *Harness::view_by_pid(pid_t pid, size_t index)
{
    size_t seen = 0;
    for (auto &view : server_->views)
        if (view->mapped() && view->pid() == pid && seen++ == index)
            return view.get();
    return nullptr;
}

View *Harness::wait_for_view(ClientProcess &client, size_t index)
{
    View *found = nullptr;
    wait_until([&] {
        found = view_by_pid(client.pid(), index);
        return found != nullptr && client.count("mapped") > index;
    });
    return found;
}

void Harness::key(uint32_t evdev_keycode, bool pressed)
{
    wlr_event_keyboard_key event{};
    event.time_msec = ++time_msec_;
    event.keycode = evdev_keycode;
    event.update_state = true;
    event.state = pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED;
    wlr_keyboard_notify_key(keyboard_->keyboard, &event);
    pump();
}

void Harness::tap_key(uint32_t evdev_keycode)
{
    key(evdev_keycode, true);
    key(evdev_keycode, false);
}

void Harness::type_text(std::string_view text)
{
    static const char *rows[] = {"1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"};
    static const char *shifted[] = {"!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"", "ZXCVBNM<>?"};
    static const uint32_t row_start[] = {KEY_1, KEY_Q, KEY_A, KEY_Z};
    for (char c : text) {
        uint32_t code = 0;
        bool shift = false;
        if (c == ' ')
            code = KEY_SPACE;
        for (int row = 0; row < 4 && !code; ++row)
            for (int i = 0; rows[row][i] && !code; ++i)
                if (rows[row][i] == c || shifted[row][i] == c) {
                    code = row_start[row] + static_cast<uint32_t>(i);
                    shift = shifted[row][i] == c;
                }
        if (!code)
            throw std::runtime_error("type_text: no key for a character");
        if (shift)
            key(KEY_LEFTSHIFT, true);
        tap_key(code);
        if (shift)
            key(KEY_LEFTSHIFT, false);
    }
}

void Harness::chord(std::initializer_list<uint32_t> keycodes)
{
    for (uint32_t code : keycodes)
        key(code, true);
    for (auto it = std::rbegin(keycodes); it != std::rend(keycodes); ++it)
        key(*it, false);
}

void Harness::pointer_to(double lx, double ly)
{
    // wlr_cursor maps absolute [0,1] coordinates onto the whole layout.
    wlr_box extents{};
    const wlr_box *box = wlr_output_layout_get_box(server_->output_layout, nullptr);
    if (box)
        extents = *box;
    wlr_event_pointer_motion_absolute event{};
    event.device = pointer_;
    event.time_msec = ++time_msec_;
    event.x = (lx - extents.x) / std::max(1, extents.width);
    event.y = (ly - extents.y) / std::max(1, extents.height);
    wl_signal_emit(&pointer_->pointer->events.motion_absolute, &event);
    wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
    pump();
}

void Harness::button(uint32_t button_code, bool pressed)
{
    wlr_event_pointer_button event{};
    event.device = pointer_;
    event.time_msec = ++time_msec_;
    event.button = button_code;
    event.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED;
    wl_signal_emit(&pointer_->pointer->events.button, &event);
    wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
    pump();
}

void Harness::click(double lx, double ly, uint32_t button_code)
{
    pointer_to(lx, ly);
    button(button_code, true);
    button(button_code, false);
}

Output &Harness::output(size_t index)
{
    return *server_->outputs.at(index);
}

wlr_output *Harness::add_output(int width, int height)
{
    size_t before = server_->outputs.size();
    wlr_output *added = wlr_headless_add_output(
        server_->headless_backend, static_cast<unsigned>(width), static_cast<unsigned>(height));
    wait_until([&] { return server_->outputs.size() > before; });
    return added;
}

uint64_t Harness::commits(size_t output_index)
{
    return output(output_index).frames_committed;
}

Image Harness::capture(size_t output_index)
{
    Output &target = output(output_index);
    cairo_surface_t *captured = nullptr;
    target.on_commit_buffer = [&](wlr_buffer *buffer) {
        if (!captured)
            captured = copy_buffer_to_image(buffer);
    };
    wlr_output_damage_add_whole(target.scene_output->damage);
    bool ok = wait_until([&] { return captured != nullptr; });
    target.on_commit_buffer = nullptr;
    if (!ok)
        throw std::runtime_error("no frame was committed on output " + std::string(target.name()));
    return Image(captured);
}

std::string Harness::artefact_path(const std::string &name)
{
    const char *dir = std::getenv("RAMPART_TEST_OUT");
    std::string base = dir ? dir : ".";
    std::filesystem::create_directories(base);
    return base + "/" + name;
}

} // namespace rampart::test
