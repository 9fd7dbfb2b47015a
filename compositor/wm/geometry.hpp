// Window-management geometry: pure integer maths, no wlroots, unit-tested alone.
#pragma once

#include <algorithm>

namespace rampart::wm {

struct Box {
    int x = 0, y = 0, width = 0, height = 0;
    bool empty() const { return width <= 0 || height <= 0; }
    bool contains(int px, int py) const
    {
        return px >= x && py >= y && px < x + width && py < y + height;
    }
    bool operator==(const Box &) const = default;
};

Box intersect(const Box &a, const Box &b);

// Thickness of the server-side frame around a window's content.
struct FrameExtents {
    int border = 2;        // left, right and bottom edges
    int title_height = 24; // title bar above the content (the top border is inside it)
    int left() const { return border; }
    int right() const { return border; }
    int top() const { return title_height; }
    int bottom() const { return border; }
};

// Outer box (frame included) for a content box, and back.
Box outer_from_content(const Box &content, const FrameExtents &frame);
Box content_from_outer(const Box &outer, const FrameExtents &frame);

// Clamps a requested content size into [1, max] and so that the framed window fits in
// `usable` where possible.
struct Size {
    int width = 0, height = 0;
    bool operator==(const Size &) const = default;
};
Size clamp_content_size(Size requested, Size max_size, const Box &usable,
                        const FrameExtents &frame);

// Cascade placement: the n-th window placed on an output starts `step` px right and down
// from the previous, wrapping back to the top-left when it would leave the usable area.
Box cascade(const Box &usable, Size outer_size, int index, int step = 32);

// Moves `box` the least distance so it lies inside `area` (top-left wins if it cannot fit).
Box keep_inside(const Box &box, const Box &area);

// Moves an outer box so at least `grip` px of its title bar stays reachable in `area`.
Box keep_reachable(const Box &outer, const Box &area, int title_height, int grip = 48);

// Resizing from edges: new outer box for a drag of (dx, dy) from `start` on `edges`
// (bitmask of Edge values), never smaller than min_size.
enum Edge : unsigned { none = 0, top = 1, bottom = 2, left = 4, right = 8 };
Box resize_box(const Box &start, unsigned edges, int dx, int dy, Size min_size);

// Which frame edges lie under (x, y) for an outer box with a `band`-px grab margin.
unsigned edges_at(const Box &outer, int x, int y, int band);

} // namespace rampart::wm
