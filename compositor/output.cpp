#include "output.hpp"

#include "input/input_manager.hpp"
#include "lock/lock_screen.hpp"
#include "render/scene_renderer.hpp"

#include <cmath>
#include <optional>
#include "server.hpp"
#include "util/log.hpp"

#include <ctime>

namespace rampart {

namespace {
const float background_color[4] = {0.16f, 0.17f, 0.19f, 1.0f};
}

Output::Output(Server &server_, wlr_output *output) : server(server_), wlr(output)
{
    wlr_output_init_render(wlr, server.allocator, server.renderer);
    frame_.connect(&wlr->events.frame, [this](void *) { render_frame(); });
    destroy_.connect(&wlr->events.destroy, [this](void *) { server.output_destroyed(this); });
    commit_.connect(&wlr->events.commit, [this](void *data) {
        auto *event = static_cast<wlr_output_event_commit *>(data);
        if (!(event->committed & WLR_OUTPUT_STATE_BUFFER))
            return;
        ++frames_committed;
        server.events.emit("output_commit", {{"output", std::string(name())},
                                             {"frame", static_cast<int64_t>(frames_committed)}});
        if (on_commit_buffer && event->buffer)
            on_commit_buffer(event->buffer);
        // Only frames we rendered count as showing the lock: a DRM modeset commits a blank
        // buffer of wlroots' own first.
        if (server.lock_screen && rendering_)
            server.lock_screen->output_committed(*this);
    });
    mode_.connect(&wlr->events.mode, [this](void *) {
        update_background();
        server.arrange_all();
    });

    background = wlr_scene_rect_create(&server.layers.background->node, 0, 0, background_color);
    panel = std::make_unique<PanelView>(&server.layers.panels->node, *this);
    scene_output = wlr_scene_output_create(server.scene, wlr);
    apply_config();
    // While locked, a new output's first frame is already the lock screen.
    if (server.lock_screen)
        server.lock_screen->output_added(*this);
    server.events.emit("output_added", {{"output", std::string(name())},
                                        {"width", static_cast<int64_t>(wlr->width)},
                                        {"height", static_cast<int64_t>(wlr->height)}});
    log::info("output %s added: %dx%d scale %.0f", name(), wlr->width, wlr->height,
              static_cast<double>(wlr->scale));
}

Output::~Output()
{
    // The scene output goes with the wlr_output; our scene rect is ours to remove.
    if (background)
        wlr_scene_node_destroy(&background->node);
    panel.reset();
}

bool Output::apply_config()
{
    const config::OutputConfig *wanted = config::find_output(server.config, name());
    if (wanted && !wanted->enabled) {
        // Disabled: off, and out of the layout so no window is placed where nobody sees it.
        wlr_output_enable(wlr, false);
        bool off = wlr_output_commit(wlr);
        wlr_output_layout_remove(server.output_layout, wlr);
        update_background();
        return off;
    }
    wlr_output_enable(wlr, true);
    if (wanted && wanted->width && wanted->height) {
        wlr_output_mode *chosen = nullptr;
        wlr_output_mode *mode;
        wl_list_for_each (mode, &wlr->modes, link) {
            if (mode->width == *wanted->width && mode->height == *wanted->height &&
                (!wanted->refresh_mhz || mode->refresh == *wanted->refresh_mhz || !chosen)) {
                chosen = mode;
            }
        }
        if (chosen)
            wlr_output_set_mode(wlr, chosen);
        else
            wlr_output_set_custom_mode(wlr, *wanted->width, *wanted->height,
                                       wanted->refresh_mhz.value_or(0));
    } else if (wlr_output_mode *preferred = wlr_output_preferred_mode(wlr)) {
        wlr_output_set_mode(wlr, preferred);
    }
    wlr_output_set_scale(wlr, static_cast<float>(wanted ? wanted->scale : 1));
    wlr_output_set_transform(
        wlr, static_cast<wl_output_transform>(wanted ? static_cast<int>(wanted->transform) : 0));
    bool committed = wlr_output_commit(wlr);
    if (!committed) {
        log::warning("output %s: the configured mode could not be set; using the preferred one",
                     name());
        wlr_output_rollback(wlr);
        if (wlr_output_mode *preferred = wlr_output_preferred_mode(wlr))
            wlr_output_set_mode(wlr, preferred);
        wlr_output_enable(wlr, true);
        committed = wlr_output_commit(wlr);
    }
    place_in_layout();
    update_background();
    return committed;
}

void Output::place_in_layout()
{
    const config::OutputConfig *wanted = config::find_output(server.config, name());
    if (wanted && wanted->x && wanted->y)
        wlr_output_layout_add(server.output_layout, wlr, *wanted->x, *wanted->y); // or moves
    else if (!wlr_output_layout_get(server.output_layout, wlr))
        wlr_output_layout_add_auto(server.output_layout, wlr);
}

wm::Box Output::layout_box() const
{
    const wlr_box *box = wlr_output_layout_get_box(server.output_layout, wlr);
    if (!box)
        return {};
    return {box->x, box->y, box->width, box->height};
}

wm::Box Output::panel_box() const
{
    wm::Box box = layout_box();
    int height = std::min(panel_height, box.height / 2);
    int y =
        server.config.panel.edge == config::PanelEdge::bottom ? box.y + box.height - height : box.y;
    return {box.x, y, box.width, height};
}

wm::Box Output::usable_box() const
{
    wm::Box box = layout_box();
    wm::Box strip = panel_box();
    int top = server.config.panel.edge == config::PanelEdge::top ? strip.height : 0;
    return {box.x, box.y + top, box.width, box.height - strip.height};
}

void Output::update_background()
{
    wm::Box box = layout_box();
    // The layout's change event can come before this output's scene output exists.
    if (scene_output)
        wlr_scene_output_set_position(scene_output, box.x, box.y);
    if (!background)
        return;
    wlr_scene_node_set_position(&background->node, box.x, box.y);
    wlr_scene_rect_set_size(background, box.width, box.height);
    // A new or resized output gets its panel now, before its next (or first) frame.
    if (panel)
        panel->update(server.panel_model());
    if (server.lock_screen)
        server.lock_screen->output_changed(*this);
}

void Output::render_frame()
{
    if (!scene_output)
        return;
    // A client's cursor image is never drawn over the panel.
    std::optional<wm::Box> forbidden;
    if (server.input && server.input->client_cursor()) {
        wm::Box strip = panel_box(), box = layout_box();
        float scale = wlr->scale;
        forbidden = wm::Box{static_cast<int>((strip.x - box.x) * scale),
                            static_cast<int>((strip.y - box.y) * scale),
                            static_cast<int>(std::ceil(strip.width * scale)),
                            static_cast<int>(std::ceil(strip.height * scale))};
    }
    rendering_ = true;
    render_scene_output(
        scene_output, server.renderer,
        [this](wlr_scene_node *node) { return server.clip_for_node(node); }, nullptr,
        forbidden ? &*forbidden : nullptr);
    rendering_ = false;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    wlr_scene_output_send_frame_done(scene_output, &now);
}

} // namespace rampart
