#include "panel_view.hpp"

#include "output.hpp"
#include "panel/render.hpp"
#include "server.hpp"

namespace rampart {

PanelView::PanelView(wlr_scene_node *parent, Output &output) : output_(output), image_(parent) {}

bool PanelView::update(const panel::PanelModel &model)
{
    wm::Box box = output_.panel_box();
    float scale = output_.wlr->scale;
    int width = static_cast<int>(std::lround(box.width * scale));
    int height = static_cast<int>(std::lround(box.height * scale));
    if (width <= 0 || height <= 0)
        return false;
    if (model == drawn_ && width == drawn_width_ && height == drawn_height_ &&
        scale == drawn_scale_) {
        image_.set_position(box.x, box.y);
        return false;
    }
    layout_ = panel::layout_panel(model, width, height, scale);
    // Buffer pixels at the output's scale, shown at the strip's logical size.
    image_.draw(
        box.x, box.y, width, height, [&](cairo_t *cr) { panel::render_panel(cr, model, layout_); },
        box.width, box.height);
    drawn_ = model;
    drawn_width_ = width;
    drawn_height_ = height;
    drawn_scale_ = scale;
    ++redraws_;
    output_.server.events.emit("panel_redraw", {{"output", std::string(output_.name())},
                                                {"count", static_cast<int64_t>(redraws_)}});
    return true;
}

wm::Box PanelView::entry_box(double lx, double ly) const
{
    panel::Hit found = hit(lx, ly);
    if (!found.item)
        return {};
    wm::Box box = output_.panel_box();
    float scale = output_.wlr->scale;
    const wm::Box &b = found.item->box;
    return {box.x + static_cast<int>(b.x / scale), box.y, static_cast<int>(b.width / scale),
            box.height};
}

panel::Hit PanelView::hit(double lx, double ly) const
{
    wm::Box box = output_.panel_box();
    if (!box.contains(static_cast<int>(lx), static_cast<int>(ly)) || drawn_width_ < 0)
        return {};
    float scale = output_.wlr->scale;
    return panel::hit_test(layout_, (lx - box.x) * scale, (ly - box.y) * scale);
}

} // namespace rampart
