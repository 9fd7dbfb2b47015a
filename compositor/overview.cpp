#include "overview.hpp"

#include "frame.hpp"
#include "input/input_manager.hpp"
#include "output.hpp"
#include "server.hpp"
#include "view.hpp"

#include <pango/pangocairo.h>

namespace rampart {

namespace {
constexpr int badge_height = 56;

// A rounded box with the level label at badge size and, below it, the window's title.
void paint_badge(cairo_t *cr, const FrameIdentity &identity, const std::string &title, int width,
                 int height)
{
    cairo_set_source_rgba(cr, 0.05, 0.05, 0.06, 0.92);
    cairo_paint(cr);
    int label_width = draw_level_label(cr, identity, 8, 8, height - 30);
    (void)label_width;
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string("Sans");
    pango_font_description_set_absolute_size(font, 12 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_text(layout, title.c_str(), -1);
    pango_layout_set_auto_dir(layout, FALSE);
    pango_context_set_base_dir(pango_layout_get_context(layout), PANGO_DIRECTION_LTR);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_width(layout, (width - 16) * PANGO_SCALE);
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, 8, height - 20);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    // The badge's outline is the level colour too.
    cairo_set_source_rgb(cr, identity.colour.r, identity.colour.g, identity.colour.b);
    cairo_set_line_width(cr, 4);
    cairo_rectangle(cr, 2, 2, width - 4, height - 4);
    cairo_stroke(cr);
}

void paint_phrase(cairo_t *cr, const std::string &phrase, int width, int height)
{
    cairo_set_source_rgba(cr, 0.05, 0.05, 0.06, 0.95);
    cairo_paint(cr);
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string("Sans Bold");
    pango_font_description_set_absolute_size(font, 16 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    std::string text = phrase.empty() ? "Rampart overview — no security phrase set"
                                      : "Rampart overview — " + phrase;
    text += "    Esc: close   Tab: next window   click: pick";
    pango_layout_set_text(layout, text.c_str(), -1);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_width(layout, (width - 24) * PANGO_SCALE);
    int text_width = 0, text_height = 0;
    pango_layout_get_pixel_size(layout, &text_width, &text_height);
    cairo_set_source_rgb(cr, 1.0, 0.84, 0.0);
    cairo_move_to(cr, 12, (height - text_height) / 2.0);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}
} // namespace

Overview::Overview(Server &server) : server_(server)
{
    tree_ = wlr_scene_tree_create(&server_.layers.overlay->node);
    wlr_scene_node_set_enabled(&tree_->node, false);
}

Overview::~Overview()
{
    badges_.clear();
    wlr_scene_node_destroy(&tree_->node);
}

void Overview::open(Mode mode)
{
    mode_ = mode;
    // While the interactive overview is open no client has the keyboard: the releases of
    // the keys that opened it, and everything typed, stay with Rampart.
    if (mode == Mode::interactive) {
        wlr_seat_keyboard_notify_clear_focus(server_.seat);
        wlr_seat_pointer_clear_focus(server_.seat);
    }
    draw();
    wlr_scene_node_raise_to_top(&tree_->node);
    wlr_scene_node_set_enabled(&tree_->node, true);
    server_.events.emit("overview", {{"open", true},
                                     {"interactive", mode == Mode::interactive},
                                     {"badges", static_cast<int64_t>(badges_.size())}});
}

void Overview::close()
{
    if (mode_ == Mode::closed)
        return;
    bool was_interactive = mode_ == Mode::interactive;
    mode_ = Mode::closed;
    wlr_scene_node_set_enabled(&tree_->node, false);
    badges_.clear();
    if (was_interactive)
        server_.input->keyboard_focus_changed(server_.focused_view());
    server_.events.emit("overview", {{"open", false}});
}

void Overview::refresh()
{
    if (is_open())
        draw();
}

void Overview::draw()
{
    badges_.clear();
    for (View *view : server_.focus_order) {
        wm::Box content = view->content_box();
        int width = std::clamp(content.width - 16, 120, 360);
        auto badge = std::make_unique<SceneImage>(&tree_->node);
        FrameIdentity identity = server_.identity_for_level(view->level());
        std::string title = view->title();
        badge->draw(content.x + (content.width - width) / 2,
                    content.y + (content.height - badge_height) / 2, width, badge_height,
                    [&](cairo_t *cr) { paint_badge(cr, identity, title, width, badge_height); });
        badges_.push_back(std::move(badge));
    }
    if (mode_ == Mode::interactive) {
        for (auto &output : server_.outputs) {
            wm::Box usable = output->usable_box();
            auto banner = std::make_unique<SceneImage>(&tree_->node);
            std::string phrase = server_.config.panel.security_phrase;
            banner->draw(usable.x, usable.y + usable.height - 40, usable.width, 40,
                         [&](cairo_t *cr) { paint_phrase(cr, phrase, usable.width, 40); });
            badges_.push_back(std::move(banner));
        }
    }
}

void Overview::handle_key(xkb_keysym_t keysym)
{
    if (keysym == XKB_KEY_Escape || keysym == XKB_KEY_Return) {
        close();
    } else if (keysym == XKB_KEY_Tab) {
        server_.cycle_focus(true);
        server_.end_focus_cycle();
        draw();
    }
}

void Overview::handle_click(double lx, double ly)
{
    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    bool was_open = is_open();
    close();
    if (!was_open)
        return;
    if (View *view = server_.view_at(lx, ly, &surface, &sx, &sy))
        server_.focus_view(view);
}

} // namespace rampart
