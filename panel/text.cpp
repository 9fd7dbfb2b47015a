#include "text.hpp"

#include <pango/pangocairo.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace rampart::panel {

namespace {

constexpr std::size_t soft_limit = 256;  // above this, unused texts go at the next redraw
constexpr std::size_t hard_limit = 4096; // never more, even without redraws

struct ContextUnref {
    void operator()(PangoContext *context) const { g_object_unref(context); }
};
struct FontUnref {
    void operator()(PangoFontDescription *font) const { pango_font_description_free(font); }
};

struct CachedText {
    Text text;
    uint64_t last_used = 0;
};

class TextCache {
public:
    TextCache()
    {
        // Made from an image surface so that its font options (hinting, rounding) are those
        // of the buffers the panel and frames draw into; layouts are then measured exactly as
        // they are drawn. One context per thread, reused: creating one costs a font map lookup.
        cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
        cairo_t *cr = cairo_create(surface);
        context_.reset(pango_cairo_create_context(cr));
        // The default, WEAK_LTR, lets the first strong letter pick the direction even with
        // auto_dir off: a title starting in Hebrew would then be laid out right to left.
        pango_context_set_base_dir(context_.get(), PANGO_DIRECTION_LTR);
        cairo_destroy(cr);
        cairo_surface_destroy(surface);
        for (int style = 0; style < 3; ++style) {
            static const char *const families[] = {"Sans", "Sans Bold", "Sans Italic"};
            fonts_[style].reset(pango_font_description_from_string(families[style]));
        }
    }

    Text get(std::string_view text, const TextSpec &spec)
    {
        const long size_64th = std::lround(spec.size_px * 64);
        // The key: the spec's fields as raw bytes (formatting them cost more than the lookup),
        // then the text.
        const char flags[2] = {static_cast<char>(spec.style), spec.fixed_direction ? '1' : '0'};
        key_.assign(flags, sizeof flags);
        key_.append(reinterpret_cast<const char *>(&size_64th), sizeof size_64th);
        key_.append(reinterpret_cast<const char *>(&spec.max_width), sizeof spec.max_width);
        key_.append(text);
        if (auto found = entries_.find(key_); found != entries_.end()) {
            found->second.last_used = generation_;
            return found->second.text;
        }
        if (entries_.size() >= hard_limit) {
            evict();
            if (entries_.size() >= hard_limit)
                entries_.clear();
        }
        Text shaped = shape(text, spec, size_64th);
        entries_.emplace(key_, CachedText{shaped, generation_});
        return shaped;
    }

    void next_generation()
    {
        ++generation_;
        if (entries_.size() > soft_limit)
            evict();
    }
    void clear() { entries_.clear(); }
    std::size_t size() const { return entries_.size(); }

private:
    Text shape(std::string_view text, const TextSpec &spec, long size_64th)
    {
        PangoLayout *layout = pango_layout_new(context_.get());
        PangoFontDescription *font = fonts_[static_cast<int>(spec.style)].get();
        // Scaled to 1/64 px like the key, so equal keys always give equal layouts.
        pango_font_description_set_absolute_size(font, size_64th * (PANGO_SCALE / 64.0));
        pango_layout_set_font_description(layout, font);
        pango_layout_set_single_paragraph_mode(layout, TRUE);
        if (spec.fixed_direction)
            pango_layout_set_auto_dir(layout, FALSE);
        if (spec.max_width > 0) {
            pango_layout_set_width(layout, spec.max_width * PANGO_SCALE);
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        }
        pango_layout_set_text(layout, text.data(), static_cast<int>(text.size())); // not markup
        return std::make_shared<const ShapedText>(layout);
    }

    // Drops what the last two redraws did not use.
    void evict()
    {
        std::erase_if(entries_, [this](const auto &entry) {
            return entry.second.last_used + 1 < generation_;
        });
    }

    std::unique_ptr<PangoContext, ContextUnref> context_;
    std::unique_ptr<PangoFontDescription, FontUnref> fonts_[3];
    std::unordered_map<std::string, CachedText> entries_;
    std::string key_; // reused to avoid an allocation per lookup
    uint64_t generation_ = 0;
};

TextCache &cache()
{
    thread_local TextCache instance;
    return instance;
}

} // namespace

ShapedText::ShapedText(PangoLayout *layout) : layout_(layout)
{
    PangoRectangle logical;
    pango_layout_get_pixel_extents(layout, &ink_, &logical); // shapes once, here
    width_ = logical.width;
    height_ = logical.height;
}

void ShapedText::Unref::operator()(PangoLayout *layout) const
{
    g_object_unref(layout);
}

bool ShapedText::ellipsized() const
{
    return pango_layout_is_ellipsized(layout_.get());
}

void ShapedText::draw(cairo_t *cr, double x, double y) const
{
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout_.get());
}

Text shape_text(std::string_view text, const TextSpec &spec)
{
    return cache().get(text, spec);
}
void begin_text_generation()
{
    cache().next_generation();
}
void clear_text_cache()
{
    cache().clear();
}
std::size_t text_cache_size()
{
    return cache().size();
}

} // namespace rampart::panel
