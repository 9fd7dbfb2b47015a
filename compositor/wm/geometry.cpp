#include "wm/geometry.hpp"

namespace rampart::wm {

Box intersect(const Box &a, const Box &b)
{
    int x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
    int x2 = std::min(a.x + a.width, b.x + b.width), y2 = std::min(a.y + a.height, b.y + b.height);
    if (x2 <= x1 || y2 <= y1)
        return {};
    return {x1, y1, x2 - x1, y2 - y1};
}

Box outer_from_content(const Box &content, const FrameExtents &frame)
{
    return {content.x - frame.left(), content.y - frame.top(),
            content.width + frame.left() + frame.right(),
            content.height + frame.top() + frame.bottom()};
}

Box content_from_outer(const Box &outer, const FrameExtents &frame)
{
    return {outer.x + frame.left(), outer.y + frame.top(),
            std::max(1, outer.width - frame.left() - frame.right()),
            std::max(1, outer.height - frame.top() - frame.bottom())};
}

Size clamp_content_size(Size requested, Size max_size, const Box &usable, const FrameExtents &frame)
{
    int fit_width = usable.width - frame.left() - frame.right();
    int fit_height = usable.height - frame.top() - frame.bottom();
    int width = std::clamp(requested.width, 1, std::max(1, max_size.width));
    int height = std::clamp(requested.height, 1, std::max(1, max_size.height));
    if (fit_width > 0)
        width = std::min(width, fit_width);
    if (fit_height > 0)
        height = std::min(height, fit_height);
    return {width, height};
}

Box cascade(const Box &usable, Size outer_size, int index, int step)
{
    int room_x = std::max(0, usable.width - outer_size.width);
    int room_y = std::max(0, usable.height - outer_size.height);
    int steps_x = room_x / step + 1, steps_y = room_y / step + 1;
    int slot = index % std::max(1, std::min(steps_x, steps_y));
    // Start one step in, so no window sits at the output's corner.
    int offset = std::min(step, std::min(room_x, room_y));
    int x = usable.x + std::min(room_x, offset + slot * step);
    int y = usable.y + std::min(room_y, offset + slot * step);
    return {x, y, outer_size.width, outer_size.height};
}

Box keep_inside(const Box &box, const Box &area)
{
    Box moved = box;
    if (moved.x + moved.width > area.x + area.width)
        moved.x = area.x + area.width - moved.width;
    if (moved.y + moved.height > area.y + area.height)
        moved.y = area.y + area.height - moved.height;
    moved.x = std::max(moved.x, area.x);
    moved.y = std::max(moved.y, area.y);
    return moved;
}

Box keep_reachable(const Box &outer, const Box &area, int title_height, int grip)
{
    Box moved = outer;
    grip = std::min(grip, outer.width);
    moved.x = std::clamp(moved.x, area.x - outer.width + grip, area.x + area.width - grip);
    moved.y = std::clamp(moved.y, area.y, area.y + area.height - std::max(1, title_height));
    return moved;
}

Box resize_box(const Box &start, unsigned edges, int dx, int dy, Size min_size)
{
    int left = start.x, top = start.y;
    int right = start.x + start.width, bottom = start.y + start.height;
    if (edges & Edge::left)
        left = std::min(left + dx, right - min_size.width);
    if (edges & Edge::right)
        right = std::max(right + dx, left + min_size.width);
    if (edges & Edge::top)
        top = std::min(top + dy, bottom - min_size.height);
    if (edges & Edge::bottom)
        bottom = std::max(bottom + dy, top + min_size.height);
    return {left, top, right - left, bottom - top};
}

unsigned edges_at(const Box &outer, int x, int y, int band)
{
    if (!outer.contains(x, y))
        return Edge::none;
    unsigned edges = Edge::none;
    if (x < outer.x + band)
        edges |= Edge::left;
    else if (x >= outer.x + outer.width - band)
        edges |= Edge::right;
    if (y < outer.y + band)
        edges |= Edge::top;
    else if (y >= outer.y + outer.height - band)
        edges |= Edge::bottom;
    return edges;
}

} // namespace rampart::wm
