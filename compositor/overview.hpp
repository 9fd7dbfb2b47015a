// The trusted overview: opened by the secure attention key (never delivered to a client),
// it puts a large badge of its level over every window and shows the user's security
// phrase, so the user can check what is what. X-ray shows the same badges while a key is
// held. Drawn in the overlay layer, above every client.
#pragma once

#include "render/cairo_buffer.hpp"
#include "wlr.hpp"

#include <memory>
#include <vector>

namespace rampart {

class Server;
class View;

class Overview {
public:
    explicit Overview(Server &server);
    ~Overview();
    Overview(const Overview &) = delete;
    Overview &operator=(const Overview &) = delete;

    enum class Mode { closed, interactive, xray };
    void open(Mode mode);
    void close();
    Mode mode() const { return mode_; }
    bool is_open() const { return mode_ != Mode::closed; }

    // While interactive, every key is the overview's: Escape/Return dismiss, Tab cycles.
    void handle_key(xkb_keysym_t keysym);
    // A click while interactive picks the window under it (or dismisses).
    void handle_click(double lx, double ly);
    // Windows or outputs changed while open: draw the badges again.
    void refresh();
    size_t badge_count() const { return badges_.size(); }

private:
    void draw();

    Server &server_;
    Mode mode_ = Mode::closed;
    wlr_scene_tree *tree_ = nullptr;
    std::vector<std::unique_ptr<SceneImage>> badges_;
};

} // namespace rampart
