#include "panel_list.hpp"

#include "frame.hpp"
#include "server.hpp"
#include "view.hpp"

#include <pango/pangocairo.h>

namespace rampart {

namespace {
constexpr int row_height = 26, list_width = 320;
}

PanelList::PanelList(Server &server) : server_(server) {}

void PanelList::open(const wm::Box &anchor, const std::vector<uint64_t> &window_ids)
{
    close();
    std::vector<View *> shown;
    for (uint64_t id : window_ids)
        for (auto &view : server_.views)
            if (view->id == id && view->mapped())
                shown.push_back(view.get());
    if (shown.empty())
        return;
    int height = static_cast<int>(shown.size()) * row_height + 4;
    int x = anchor.x, y = anchor.y + anchor.height;
    for (size_t i = 0; i < shown.size(); ++i)
        rows_.push_back(
            {x + 2, y + 2 + static_cast<int>(i) * row_height, list_width - 4, row_height});
    for (View *view : shown)
        windows_.push_back(view->id);
    image_ = std::make_unique<SceneImage>(&server_.layers.overlay->node);
    image_->draw(x, y, list_width, height, [&](cairo_t *cr) {
        cairo_set_source_rgb(cr, 0.09, 0.09, 0.11);
        cairo_paint(cr);
        for (size_t i = 0; i < shown.size(); ++i) {
            FrameIdentity identity = server_.identity_for_level(shown[i]->level());
            double row_y = 2 + static_cast<double>(i) * row_height;
            int label = draw_level_label(cr, identity, 4, row_y + 2, row_height - 4);
            PangoLayout *layout = pango_cairo_create_layout(cr);
            PangoFontDescription *font = pango_font_description_from_string("Sans");
            pango_font_description_set_absolute_size(font, 12 * PANGO_SCALE);
            pango_layout_set_font_description(layout, font);
            pango_font_description_free(font);
            pango_layout_set_text(layout, shown[i]->title().c_str(), -1);
            pango_layout_set_auto_dir(layout, FALSE);
            pango_context_set_base_dir(pango_layout_get_context(layout), PANGO_DIRECTION_LTR);
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
            pango_layout_set_width(layout, (list_width - label - 20) * PANGO_SCALE);
            cairo_set_source_rgb(cr, 0.92, 0.92, 0.93);
            cairo_move_to(cr, label + 12, row_y + 5);
            pango_cairo_show_layout(cr, layout);
            g_object_unref(layout);
        }
        cairo_set_source_rgb(cr, 0.5, 0.5, 0.55);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, 0.5, 0.5, list_width - 1, height - 1);
        cairo_stroke(cr);
    });
    server_.events.emit("panel_list",
                        {{"open", true}, {"rows", static_cast<int64_t>(rows_.size())}});
}

void PanelList::close()
{
    if (!image_)
        return;
    image_.reset();
    rows_.clear();
    windows_.clear();
    server_.events.emit("panel_list", {{"open", false}});
}

void PanelList::click(double lx, double ly)
{
    for (size_t i = 0; i < rows_.size(); ++i) {
        if (!rows_[i].contains(static_cast<int>(lx), static_cast<int>(ly)))
            continue;
        uint64_t id = windows_[i];
        close();
        for (auto &view : server_.views)
            if (view->id == id && view->mapped())
                server_.focus_view(view.get());
        return;
    }
    close();
}

} // namespace rampart
