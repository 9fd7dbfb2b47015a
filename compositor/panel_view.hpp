// The trusted panel on one output: Rampart draws it (panel/ lays out and renders the model)
// into a buffer node in the overlay layer, over the strip no client can enter. It redraws
// only when its model or its size changed.
#pragma once

#include "panel/layout.hpp"
#include "panel/model.hpp"
#include "render/cairo_buffer.hpp"

namespace rampart {

class Output;

class PanelView {
public:
    PanelView(wlr_scene_node *parent, Output &output);

    // Draws `model` if it differs from what is shown (or the output changed size/scale).
    // Returns true if it drew.
    bool update(const panel::PanelModel &model);
    // What is under (lx, ly), in layout coordinates; none when outside this panel.
    panel::Hit hit(double lx, double ly) const;
    // The box (layout coordinates) of the entry under (lx, ly); empty when none.
    wm::Box entry_box(double lx, double ly) const;
    uint64_t redraws() const { return redraws_; }

private:
    Output &output_;
    SceneImage image_;
    panel::PanelModel drawn_;
    panel::PanelLayout layout_;
    int drawn_width_ = -1, drawn_height_ = -1;
    float drawn_scale_ = 0;
    uint64_t redraws_ = 0;
};

} // namespace rampart
