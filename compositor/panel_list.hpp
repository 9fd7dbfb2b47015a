// The list a panel "+N" entry opens: the windows it stands for, drawn by Rampart below the
// entry, above every client. A click on a row focuses that window; any other click or
// Escape closes the list.
#pragma once

#include "render/cairo_buffer.hpp"
#include "wm/geometry.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace rampart {

class Server;

class PanelList {
public:
    explicit PanelList(Server &server);

    // Opens below `anchor` (layout coordinates) with these windows, in order.
    void open(const wm::Box &anchor, const std::vector<uint64_t> &window_ids);
    void close();
    bool is_open() const { return image_ != nullptr; }
    // Handles a click while open: focuses the row's window or closes. Always consumes it.
    void click(double lx, double ly);
    // The row boxes, in layout coordinates (for tests).
    const std::vector<wm::Box> &rows() const { return rows_; }
    const std::vector<uint64_t> &windows() const { return windows_; }

private:
    Server &server_;
    std::unique_ptr<SceneImage> image_;
    std::vector<uint64_t> windows_;
    std::vector<wm::Box> rows_;
};

} // namespace rampart
