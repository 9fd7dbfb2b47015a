// The trusted panel, checked on the pixels it draws: level colours, focus, overflow, hostile
// titles, HiDPI. Writes a few PNGs to $RAMPART_TEST_OUT (default /tmp) for a human to look at.
#include "layout.hpp"
#include "render.hpp"

#include <catch2/catch.hpp>
#include <pango/pangocairo.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>

using namespace rampart::panel;
using rampart::wm::Box;
using rampart::wm::Colour;

namespace {

LevelStyle make_level(const char *id, const char *name, const char *glyph, uint32_t colour,
                      uint32_t text, int pattern)
{
    auto rgb = [](uint32_t v) { return Colour::from_rgb(v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff); };
    return {id, name, glyph, rgb(colour), rgb(text), pattern};
}

// Four levels, one per pattern, and Rampart's own style.
PanelModel base_model()
{
    PanelModel model;
    model.levels = {make_level("public", "Public", "○", 0x2e7d32, 0xffffff, 0),
                    make_level("internal", "Internal", "◆", 0x1565c0, 0xffffff, 1),
                    make_level("secret", "Secret", "▲", 0xc62828, 0xffffff, 2),
                    make_level("topsecret", "Top Secret", "★", 0xf9c80e, 0x000000, 3)};
    model.trusted = make_level("rampart", "Rampart", "◇", 0x8e6fd8, 0xffffff, 0);
    model.security_phrase = "blue heron at dawn";
    model.layout_name = "English (US)";
    model.clock_text = "14:05";
    return model;
}

// `per_level` windows in each level, grouped, then one of Rampart's own; one focused.
PanelModel model_with_windows(int per_level, uint64_t focused_id = 3)
{
    static const char *const titles[] = {"Terminal", "Mail — Inbox (3)", "report-q3.odt",
                                         "Firefox — Intranet wiki", "Files"};
    PanelModel model = base_model();
    uint64_t id = 1;
    for (int level = 0; level < 4; ++level)
        for (int i = 0; i < per_level; ++i, ++id)
            model.windows.push_back({id, level, titles[id % 5], id == focused_id});
    model.windows.push_back({id, trusted_level, "Settings", id == focused_id});
    for (const WindowEntry &window : model.windows)
        if (window.focused)
            model.focused_level = window.level;
    return model;
}

bool near(uint32_t have, const Colour &colour, int tolerance = 2)
{
    const uint32_t want = colour.rgb();
    for (int shift = 0; shift <= 16; shift += 8)
        if (std::abs(int(have >> shift & 0xff) - int(want >> shift & 0xff)) > tolerance)
            return false;
    return true;
}

struct SurfaceFree {
    void operator()(cairo_surface_t *surface) const { cairo_surface_destroy(surface); }
};

struct Image {
    std::unique_ptr<cairo_surface_t, SurfaceFree> surface;
    PanelLayout layout;

    uint32_t pixel(int x, int y) const
    {
        cairo_surface_flush(surface.get());
        const unsigned char *row = cairo_image_surface_get_data(surface.get()) +
                                   y * cairo_image_surface_get_stride(surface.get());
        uint32_t value;
        std::memcpy(&value, row + 4 * x, 4);
        return value & 0xffffff;
    }
    // Pixels in `box` within `tolerance` (per channel, 0..255) of `colour`.
    int count(const Box &box, const Colour &colour, int tolerance = 2) const
    {
        int found = 0;
        for (int y = box.y; y < box.y + box.height; ++y)
            for (int x = box.x; x < box.x + box.width; ++x)
                found += near(pixel(x, y), colour, tolerance);
        return found;
    }
    void save(const std::string &name) const
    {
        const char *dir = std::getenv("RAMPART_TEST_OUT");
        const std::string folder = dir && *dir ? dir : "/tmp";
        g_mkdir_with_parents(folder.c_str(), 0755);
        const std::string path = folder + "/" + name;
        cairo_surface_write_to_png(surface.get(), path.c_str());
    }
};

Image render(const PanelModel &model, int width, int height, double scale = 1)
{
    Image image{std::unique_ptr<cairo_surface_t, SurfaceFree>(
                    cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height)),
                layout_panel(model, width, height, scale)};
    cairo_t *cr = cairo_create(image.surface.get());
    render_panel(cr, model, image.layout);
    cairo_destroy(cr);
    return image;
}

int text_room(const PanelItem &item, const PanelLayout &layout)
{
    return item.box.width - item.box.height - 2 * layout.metrics.pad;
}

const PanelItem *find_window(const PanelLayout &layout, uint64_t id)
{
    for (const PanelItem &item : layout.entries)
        if (item.kind == HitKind::window && item.window_id == id)
            return &item;
    return nullptr;
}

} // namespace

TEST_CASE("every entry shows its level's colour, and the panel is opaque", "[panel]")
{
    const PanelModel model = model_with_windows(2);
    const Image image = render(model, 1920, 28);
    image.save("panel-1080.png");
    REQUIRE(image.layout.entries.size() == model.windows.size());
    for (const PanelItem &entry : image.layout.entries) {
        const Colour colour = level_style(model, entry.level).colour;
        const Box square{entry.box.x, entry.box.y, entry.box.height, entry.box.height};
        INFO("window " << entry.window_id);
        // Patterns and the glyph cover part of the square; the rest is the level colour.
        CHECK(image.count(square, colour) > square.width * square.height / 12);
        for (const LevelStyle &other : model.levels)
            if (other.colour != colour)
                CHECK(image.count(square, other.colour, 8) == 0);
    }
    cairo_surface_flush(image.surface.get());
    const unsigned char *data = cairo_image_surface_get_data(image.surface.get());
    for (int i = 0; i < 1920 * 28; i += 97)
        REQUIRE(data[4 * i + 3] == 0xff); // alpha: nothing below shows through
}

TEST_CASE("the focused entry is highlighted", "[panel]")
{
    const PanelModel model = model_with_windows(2, 3); // windows 3 and 4 are Internal
    const Image image = render(model, 1920, 28);
    const PanelItem *focused = find_window(image.layout, 3);
    const PanelItem *other = find_window(image.layout, 4);
    REQUIRE(focused);
    REQUIRE(other);
    CHECK(focused->focused);
    CHECK_FALSE(other->focused);
    // Just inside the right end, clear of the title: the entry's background.
    auto background = [&](const PanelItem *item) {
        return image.pixel(item->box.x + item->box.width - 4, item->box.y + item->box.height / 2);
    };
    const LevelStyle &internal = model.levels[1];
    CHECK(near(background(focused), internal.colour));
    CHECK_FALSE(near(background(other), internal.colour, 40));
    CHECK(
        near(background(other), rampart::wm::mix(internal.colour, palette::unfocused_shade, 0.6f)));
}

TEST_CASE("the focused-level area shows the focused level, or a neutral 'no focus'", "[panel]")
{
    PanelModel model = model_with_windows(2, 1); // a Public window, plain green
    const Image focused = render(model, 1920, 28);
    const Box area = focused.layout.focused_level.box;
    CHECK(area.height == 28);
    CHECK(focused.layout.focused_level.level == 0);
    CHECK(focused.count(area, model.levels[0].colour) > area.width * area.height / 2);

    for (auto &window : model.windows)
        window.focused = false;
    model.focused_level.reset();
    const Image none = render(model, 1920, 28);
    none.save("panel-nofocus.png");
    CHECK(none.layout.focused_level.box == area); // nothing moves when focus goes
    CHECK(none.layout.focused_level.level == no_level);
    CHECK(none.count(area, palette::neutral) > area.width * area.height / 2);
    for (const LevelStyle &level : model.levels)
        CHECK(none.count(area, level.colour, 8) == 0);

    model.focused_level = trusted_level;
    const Image trusted = render(model, 1920, 28);
    CHECK(trusted.count(area, model.trusted.colour) > area.width * area.height / 2);
}

TEST_CASE("a level change flashes the strip in the new level's colour", "[panel]")
{
    PanelModel model = model_with_windows(1, 3); // focus on Secret (index 2)
    model.focused_level = 2;
    const Image calm = render(model, 1920, 28);
    model.flash = 1;
    const Image flash = render(model, 1920, 28);
    flash.save("panel-flash.png");
    const Box spot{calm.layout.entries_area.x + calm.layout.entries_area.width - 2, 0, 1, 1};
    CHECK(near(calm.pixel(spot.x, 0), palette::background));
    CHECK(near(flash.pixel(spot.x, 0),
               rampart::wm::mix(palette::background, model.levels[2].colour, 0.5f)));
    CHECK(calm.layout.entries.size() == flash.layout.entries.size()); // nothing moves
}

TEST_CASE("60 windows at 1280 px collapse into per-level +N entries", "[panel]")
{
    const PanelModel model = model_with_windows(15, 40); // 61 windows, focus deep in Top Secret
    const Image image = render(model, 1280, 28);
    image.save("panel-overflow.png");
    const PanelLayout &layout = image.layout;
    std::multiset<uint64_t> shown;
    std::set<int> overflowed;
    for (const PanelItem &item : layout.entries) {
        CHECK(item.box.x >= layout.entries_area.x);
        CHECK(item.box.x + item.box.width <= layout.entries_area.x + layout.entries_area.width);
        if (item.kind == HitKind::window)
            shown.insert(item.window_id);
        if (item.kind != HitKind::overflow)
            continue;
        CHECK(item.level != several_levels);
        overflowed.insert(item.level);
        for (uint64_t id : item.hidden)
            shown.insert(id);
        const Box square{item.box.x, item.box.y, item.box.height, item.box.height};
        CHECK(image.count(square, level_style(model, item.level).colour) > 30);
        CHECK(item.text);
        const Hit hit = hit_test(layout, item.box.x + item.box.width / 2.0, 14);
        CHECK(hit.kind == HitKind::overflow);
        CHECK(hit.level == item.level);
        REQUIRE(hit.item);
        CHECK(hit.item->hidden == item.hidden);
    }
    CHECK(overflowed == std::set<int>{0, 1, 2, 3}); // the single trusted window still fits
    CHECK(shown.size() == model.windows.size());    // every window: once, shown or behind +N
    CHECK(std::set<uint64_t>(shown.begin(), shown.end()).size() == model.windows.size());
    CHECK(find_window(layout, 40)); // the focused window keeps its entry
}

TEST_CASE("too narrow even for one +N per level: the last levels share one", "[panel]")
{
    const PanelModel model = model_with_windows(15, 40);
    const Image image = render(model, 700, 28);
    image.save("panel-narrow.png");
    std::size_t accounted = 0;
    for (const PanelItem &item : image.layout.entries)
        accounted += item.kind == HitKind::window ? 1 : item.hidden.size();
    CHECK(accounted == model.windows.size());
    const PanelItem &last = image.layout.entries.back();
    CHECK(last.kind == HitKind::overflow);
    CHECK(last.level == several_levels);
    CHECK(last.hidden_levels.size() >= 2);
}

TEST_CASE("long titles shrink with an ellipsis before anything collapses", "[panel]")
{
    PanelModel model = model_with_windows(3);
    for (auto &window : model.windows)
        window.title = "A rather long document title that will not fit " + window.title;
    const Image image = render(model, 1920, 28);
    image.save("panel-shrunk.png");
    for (const PanelItem &item : image.layout.entries) {
        CHECK(item.kind == HitKind::window);
        CHECK(item.text->width() <= text_room(item, image.layout));
        CHECK(item.text->ellipsized());
    }
}

TEST_CASE("hostile titles are drawn as given, never interpreted", "[panel]")
{
    PanelModel model = base_model();
    model.windows = {{1, 0, "⟨U+202E⟩gpj.exe", true},
                     {2, 1, std::string(200, 'W') + "…", false},
                     {3, 2, "<b>x</b>", false},
                     {4, 3, "&lt;i&gt; %s %n {}", false},
                     {5, 2, "שלום abc", false}};
    model.focused_level = 0;
    const Image image = render(model, 1920, 28);
    image.save("panel-hostile.png");
    const PanelLayout &layout = image.layout;
    REQUIRE(layout.entries.size() == 5);
    for (const PanelItem &item : layout.entries) {
        CHECK(item.text->width() <= text_room(item, layout));
        CHECK(item.box.x + item.box.width <= layout.entries_area.x + layout.entries_area.width);
    }
    CHECK(find_window(layout, 2)->text->ellipsized());

    // "<b>x</b>" is eight characters of plain text, exactly as wide as pango's plain text.
    const PanelItem *markup = find_window(layout, 3);
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *scratch_cr = cairo_create(scratch);
    PangoLayout *reference = pango_cairo_create_layout(scratch_cr);
    PangoFontDescription *font = pango_font_description_from_string("Sans");
    pango_font_description_set_absolute_size(font, layout.metrics.text_px * PANGO_SCALE);
    pango_layout_set_font_description(reference, font);
    pango_layout_set_text(reference, "<b>x</b>", -1);
    int literal_width = 0, x_width = 0;
    pango_layout_get_pixel_size(reference, &literal_width, nullptr);
    pango_layout_set_text(reference, "x", -1);
    pango_layout_get_pixel_size(reference, &x_width, nullptr);
    g_object_unref(reference);
    cairo_destroy(scratch_cr);
    cairo_surface_destroy(scratch);
    pango_font_description_free(font);
    CHECK(std::abs(markup->text->width() - literal_width) <= 1);
    CHECK(markup->text->width() > 4 * x_width);
    // And on screen: ink spans about that width after the square, not one letter's.
    const Box title{markup->box.x + markup->box.height + layout.metrics.pad, markup->box.y,
                    text_room(*markup, layout), markup->box.height};
    const Colour background =
        rampart::wm::mix(model.levels[2].colour, palette::unfocused_shade, 0.6f);
    int last_ink = title.x;
    for (int x = title.x; x < title.x + title.width; ++x)
        for (int y = title.y; y < title.y + title.height; ++y)
            if (!near(image.pixel(x, y), background, 3))
                last_ink = x;
    CHECK(std::abs(last_ink - title.x - literal_width) <= 3);
}

TEST_CASE("a title starting with right-to-left letters is still laid out left to right", "[panel]")
{
    PanelModel model = base_model();
    model.windows = {{1, 0, "שלום abc", false}, {2, 0, "שלום", false}};
    const Image image = render(model, 1920, 28);
    const PanelItem *mixed = find_window(image.layout, 1);
    const PanelItem *hebrew = find_window(image.layout, 2);
    REQUIRE(mixed);
    REQUIRE(hebrew);
    // The Hebrew word comes first, at the left, exactly as when it is alone; with the
    // direction taken from the text, "abc" would be at the left instead.
    const int title_offset = hebrew->box.height + image.layout.metrics.pad;
    int differing = 0;
    for (int dx = 0; dx < hebrew->text->width(); ++dx)
        for (int y = mixed->box.y; y < mixed->box.y + mixed->box.height; ++y)
            differing += image.pixel(mixed->box.x + title_offset + dx, y) !=
                         image.pixel(hebrew->box.x + title_offset + dx, y);
    CHECK(differing == 0);
}

TEST_CASE("at scale 2 the geometry doubles", "[panel]")
{
    const PanelModel model = model_with_windows(2);
    const Image single = render(model, 1920, 28, 1);
    const Image twice = render(model, 3840, 56, 2);
    twice.save("panel-hidpi.png");
    const PanelLayout &a = single.layout, &b = twice.layout;
    CHECK(b.metrics.box_height == 2 * a.metrics.box_height);
    CHECK(b.metrics.pad == 2 * a.metrics.pad);
    CHECK(b.lock_button.box == Box{2 * a.lock_button.box.x, 2 * a.lock_button.box.y,
                                   2 * a.lock_button.box.width, 2 * a.lock_button.box.height});
    REQUIRE(a.entries.size() == b.entries.size());
    // Text is hinted at each size, so widths double to within a few pixels.
    auto near_double = [](int one, int two) { return std::abs(two - 2 * one) <= 4 + one / 25; };
    CHECK(near_double(a.focused_level.box.width, b.focused_level.box.width));
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        INFO("entry " << i);
        CHECK(b.entries[i].box.y == 2 * a.entries[i].box.y);
        CHECK(b.entries[i].box.height == 2 * a.entries[i].box.height);
        CHECK(near_double(a.entries[i].box.width, b.entries[i].box.width));
        CHECK(near_double(a.entries[i].box.x, b.entries[i].box.x));
    }
    CHECK(near_double(a.phrase.box.x, b.phrase.box.x));
}

TEST_CASE("hit_test finds entries, the lock button and the focused level", "[panel]")
{
    const PanelModel model = model_with_windows(2, 5);
    const PanelLayout layout = layout_panel(model, 1920, 28, 1);
    for (const PanelItem &item : layout.entries) {
        const double middle = item.box.x + item.box.width / 2.0;
        const Hit hit = hit_test(layout, middle, 14);
        CHECK(hit.kind == HitKind::window);
        CHECK(hit.window_id == item.window_id);
        CHECK(hit.level == item.level);
        CHECK(hit_test(layout, middle, 0).window_id == item.window_id); // the screen's edge
    }
    const PanelItem &first = layout.entries[0];
    CHECK(hit_test(layout, first.box.x + first.box.width + 1, 14).kind == HitKind::none);
    const Box lock = layout.lock_button.box;
    CHECK(hit_test(layout, lock.x + lock.width / 2.0, lock.y + lock.height / 2.0).kind ==
          HitKind::lock_button);
    const Hit focus = hit_test(layout, 5, 5);
    CHECK(focus.kind == HitKind::focused_level);
    CHECK(focus.level == 2); // window 5 is Secret
    CHECK(hit_test(layout, layout.phrase.box.x + 2, 10).kind == HitKind::phrase);
    CHECK(hit_test(layout, -1, 10).kind == HitKind::none);
    CHECK(hit_test(layout, 100, 28).kind == HitKind::none);
}

TEST_CASE("Caps Lock, keyboard layout and the phrase hint are shown", "[panel]")
{
    PanelModel model = model_with_windows(1);
    model.caps_lock = true;
    model.security_phrase.clear();
    const Image image = render(model, 1920, 28);
    image.save("panel-caps-nophrase.png");
    const Box caps = image.layout.caps_lock.box;
    REQUIRE_FALSE(caps.empty());
    CHECK(image.count(caps, palette::warning) > caps.width * caps.height / 2);
    CHECK(image.layout.keyboard.box.x + image.layout.keyboard.box.width <= caps.x);
    CHECK(image.count(image.layout.phrase.box, palette::warning, 24) > 10); // the amber hint
    model.caps_lock = false;
    CHECK(layout_panel(model, 1920, 28, 1).caps_lock.box.empty());
}

TEST_CASE("keyboard layout names are shortened", "[panel]")
{
    CHECK(short_layout_name("English (US)") == "EN-US");
    CHECK(short_layout_name("English (UK)") == "EN-UK");
    CHECK(short_layout_name("German") == "DE");
    CHECK(short_layout_name("English (Dvorak)") == "EN-DVO");
    CHECK(short_layout_name("us") == "US");
    CHECK(short_layout_name("Klingon") == "KL");
    CHECK(short_layout_name("") == "");
}

TEST_CASE("an unknown level index is shown as Unknown, never as another level", "[panel]")
{
    PanelModel model = base_model();
    model.windows = {{1, 7, "stray", true}, {2, several_levels, "odd", false}};
    model.focused_level = 7;
    const Image image = render(model, 1920, 28);
    CHECK(image.layout.focused_level.level == 4);
    for (const PanelItem &item : image.layout.entries)
        CHECK(level_style(model, item.level).name == "Unknown");
}

TEST_CASE("degenerate sizes and scales neither crash nor draw outside the strip", "[panel]")
{
    const PanelModel model = model_with_windows(25);
    for (int width : {1, 40, 300})
        for (int height : {1, 6, 28})
            for (double scale : {0.0, -1.0, std::nan(""), 1.0, 3.0}) {
                const Image image = render(model, width, height, scale);
                for (const PanelItem &item : image.layout.entries)
                    CHECK(item.box.x >= image.layout.entries_area.x);
                CHECK(image.layout.entries_area.width >= 0);
            }
}

TEST_CASE("the model compares equal until something shown changes", "[panel]")
{
    PanelModel a = model_with_windows(2), b = a;
    CHECK(a == b);
    b.clock_text = "14:06";
    CHECK_FALSE(a == b);
    b = a;
    b.windows[0].title += "!";
    CHECK_FALSE(a == b);
}

TEST_CASE("the text cache stays about the size of what is shown", "[panel]")
{
    PanelModel model = model_with_windows(3);
    for (int i = 0; i < 300; ++i) {
        model.clock_text = std::to_string(i);
        model.windows[0].title = "changing title " + std::to_string(i);
        layout_panel(model, 1920, 28, 1);
    }
    CHECK(text_cache_size() < 320);
}

namespace {

// compositor/frame.cpp's label before it moved here, kept verbatim as the reference look.
void frame_pattern(cairo_t *cr, int pattern, double x, double y, double width, double height,
                   const Colour &ink)
{
    if (pattern == 0)
        return;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, width, height);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, ink.r, ink.g, ink.b, ink.a * 0.28f);
    if (pattern == 1) {
        cairo_set_line_width(cr, 2.0);
        for (double offset = -height; offset < width; offset += 6) {
            cairo_move_to(cr, x + offset, y + height);
            cairo_line_to(cr, x + offset + height, y);
        }
        cairo_stroke(cr);
    } else if (pattern == 2) {
        for (double dy = y + 3; dy < y + height; dy += 5)
            for (double dx = x + 3; dx < x + width; dx += 5) {
                cairo_arc(cr, dx, dy, 1.0, 0, 2 * M_PI);
                cairo_fill(cr);
            }
    } else {
        for (double dy = y; dy < y + height; dy += 4)
            for (double dx = x + (static_cast<int>((dy - y) / 4) % 2) * 4; dx < x + width; dx += 8)
                cairo_rectangle(cr, dx, dy, 4, 4);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

int frame_label(cairo_t *cr, const LevelStyle &style, double x, double y, int height)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string("Sans Bold");
    pango_font_description_set_absolute_size(font, height * 0.55 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_text(layout, (style.glyph + " " + style.name).c_str(), -1);
    pango_layout_set_single_paragraph_mode(layout, TRUE);
    int text_width = 0, text_height = 0;
    pango_layout_get_pixel_size(layout, &text_width, &text_height);
    int width = text_width + 12;
    cairo_set_source_rgba(cr, style.colour.r, style.colour.g, style.colour.b, style.colour.a);
    cairo_rectangle(cr, x, y, width, height);
    cairo_fill(cr);
    frame_pattern(cr, style.pattern, x, y, width, height, style.text);
    cairo_set_source_rgba(cr, style.text.r, style.text.g, style.text.b, style.text.a);
    cairo_move_to(cr, x + 6, y + (height - text_height) / 2.0);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return width;
}

} // namespace

TEST_CASE("draw_level_label looks exactly like the frames' label", "[panel]")
{
    const PanelModel model = base_model();
    for (const LevelStyle &style : model.levels) {
        for (int height : {18, 22, 27}) {
            INFO(style.name << " at height " << height);
            auto draw = [&](bool reference) {
                Image image{std::unique_ptr<cairo_surface_t, SurfaceFree>(
                                cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 40)),
                            {}};
                cairo_t *cr = cairo_create(image.surface.get());
                const int width = reference ? frame_label(cr, style, 3, 4, height)
                                            : draw_level_label(cr, style, 3, 4, height);
                cairo_destroy(cr);
                return std::pair{std::move(image), width};
            };
            const auto [mine, mine_width] = draw(false);
            const auto [theirs, theirs_width] = draw(true);
            CHECK(mine_width == theirs_width);
            int differing = 0;
            for (int y = 0; y < 40; ++y)
                for (int x = 0; x < 200; ++x)
                    differing += mine.pixel(x, y) != theirs.pixel(x, y);
            CHECK(differing == 0);
        }
    }
}
