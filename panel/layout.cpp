#include "layout.hpp"

#include <algorithm>
#include <cmath>

namespace rampart::panel {

namespace {

int scaled(double logical, double scale)
{
    return static_cast<int>(std::lround(logical * scale));
}

PanelMetrics metrics_for(int height, double scale)
{
    PanelMetrics m;
    m.scale = scale;
    m.margin = scaled(3, scale);
    m.box_height = std::max(1, height - 2 * m.margin);
    m.pad = scaled(6, scale);
    m.gap = scaled(4, scale);
    m.group_gap = scaled(12, scale);
    m.text_px = m.box_height * 0.55;
    return m;
}

TextSpec text_spec(const PanelMetrics &m, FontStyle style = FontStyle::regular, int max_width = 0)
{
    return {style, m.text_px, max_width, false};
}

// A level the model has, or trusted_level; anything else becomes an index past the levels,
// which level_style() shows as "Unknown" (never as another level, nor as "no focus").
int checked_level(const PanelModel &model, int level)
{
    const bool known = level == trusted_level ||
                       (level >= 0 && static_cast<std::size_t>(level) < model.levels.size());
    return known ? level : static_cast<int>(model.levels.size());
}

// A level's glyph for the square at the start of its entries: large, but never wider than the
// square (a glyph may be up to four characters).
Text square_glyph(const std::string &glyph, const PanelMetrics &m)
{
    TextSpec spec{FontStyle::bold, m.box_height * 0.62, 0, false};
    Text text = shape_text(glyph, spec);
    const int room = m.box_height - scaled(4, m.scale);
    if (text->ink_width() > room) {
        spec.size_px = std::max(1.0, spec.size_px * room / text->ink_width());
        text = shape_text(glyph, spec);
    }
    return text;
}

// A box of the entries' height at x, `width` wide.
wm::Box row_box(const PanelMetrics &m, int x, int width)
{
    return {x, m.margin, width, m.box_height};
}

// The window entries: every window at its natural width if they fit, else all shrunk
// (longest titles first) down to a minimum, else some of each level collapsed into "+N".
class EntryPlanner {
public:
    EntryPlanner(const PanelModel &model, const PanelMetrics &m, const wm::Box &area)
        : model_(model), m_(m), area_(area)
    {
        const int fixed = m.box_height + 2 * m.pad; // square and paddings around the title
        min_width_ = fixed + scaled(48, m.scale);
        max_width_ = fixed + scaled(220, m.scale);
        for (std::size_t i = 0; i < model.windows.size(); ++i) {
            const WindowEntry &window = model.windows[i];
            const int level = checked_level(model, window.level);
            if (groups_.empty() || groups_.back().level != level)
                groups_.push_back({level, {}});
            groups_.back().windows.push_back(i);
            Text title = shape_title(window.title, 0);
            titles_.push_back(title);
            natural_.push_back(std::clamp(fixed + title->width(), min_width_, max_width_));
        }
        visible_.assign(model.windows.size(), 1);
        merged_from_ = groups_.size();
    }

    std::vector<PanelItem> plan()
    {
        if (total_at_minimum() > area_.width)
            collapse();
        return place(cap_for_space());
    }

private:
    struct Group {
        int level;
        std::vector<std::size_t> windows; // indexes into model.windows
    };

    Text shape_title(const std::string &title, int max_width) const
    {
        if (title.empty()) // clients cannot draw italics: this cannot be a title
            return shape_text("untitled", text_spec(m_, FontStyle::italic, max_width));
        return shape_text(title, {FontStyle::regular, m_.text_px, max_width, true});
    }

    Text count_text(std::size_t count) const
    {
        return shape_text("+" + std::to_string(count), text_spec(m_, FontStyle::bold));
    }

    // Sized for the widest count of that many digits, so planning needs no shaping per count.
    int overflow_width(std::size_t hidden) const
    {
        const std::size_t digits = std::to_string(hidden).size();
        const Text widest =
            shape_text("+" + std::string(digits, '0'), text_spec(m_, FontStyle::bold));
        return m_.box_height + 2 * m_.pad + widest->width();
    }

    std::size_t hidden_in(const Group &group) const
    {
        return static_cast<std::size_t>(std::count_if(group.windows.begin(), group.windows.end(),
                                                      [&](std::size_t i) { return !visible_[i]; }));
    }

    // Width of everything with visible windows at their minimum; `fixed` gets the width of all
    // but the visible windows.
    int total_at_minimum(int *fixed = nullptr) const
    {
        int total = 0, groups = 0, visible = 0;
        std::size_t merged = 0;
        for (std::size_t g = 0; g < groups_.size(); ++g) {
            if (g >= merged_from_) {
                merged += groups_[g].windows.size();
                continue;
            }
            const std::size_t hidden = hidden_in(groups_[g]);
            const int shown = static_cast<int>(groups_[g].windows.size() - hidden);
            visible += shown;
            total += hidden > 0 ? overflow_width(hidden) : 0;
            total += (shown + (hidden > 0) - 1) * m_.gap;
            ++groups;
        }
        if (merged > 0) {
            total += overflow_width(merged);
            ++groups;
        }
        total += std::max(0, groups - 1) * m_.group_gap;
        if (fixed)
            *fixed = total;
        return total + visible * min_width_;
    }

    bool fits() const { return total_at_minimum() <= area_.width; }

    void collapse()
    {
        // Start from only "+N" entries, keeping the focused window's entry if there is room.
        std::fill(visible_.begin(), visible_.end(), 0);
        for (std::size_t i = 0; i < model_.windows.size(); ++i)
            visible_[i] = model_.windows[i].focused;
        if (!fits())
            std::fill(visible_.begin(), visible_.end(), 0);
        // Too narrow even for one "+N" per level: the last levels share one.
        while (!fits() && merged_from_ > 0)
            --merged_from_;
        // Then give each level one more entry in turn, so every level stays represented.
        std::vector<bool> full(merged_from_, false);
        for (bool added = true; added;) {
            added = false;
            for (std::size_t g = 0; g < merged_from_; ++g) {
                if (full[g])
                    continue;
                auto &windows = groups_[g].windows;
                auto next = std::find_if(windows.begin(), windows.end(),
                                         [&](std::size_t i) { return !visible_[i]; });
                if (next == windows.end()) {
                    full[g] = true;
                    continue;
                }
                visible_[*next] = 1;
                if (fits()) {
                    added = true;
                } else {
                    visible_[*next] = 0;
                    full[g] = true;
                }
            }
        }
    }

    // The widest entry width that lets every visible entry fit, by bisection.
    int cap_for_space() const
    {
        int fixed = 0;
        total_at_minimum(&fixed);
        const int room = area_.width - fixed;
        auto needed = [&](int cap) {
            int sum = 0;
            for (std::size_t i = 0; i < natural_.size(); ++i)
                if (visible_[i]) // windows of merged levels are never visible
                    sum += std::min(natural_[i], cap);
            return sum;
        };
        int low = min_width_, high = max_width_;
        if (needed(high) <= room)
            return high;
        while (low < high) {
            int middle = (low + high + 1) / 2;
            if (needed(middle) <= room)
                low = middle;
            else
                high = middle - 1;
        }
        return low;
    }

    PanelItem overflow_item(int level, std::size_t hidden) const
    {
        PanelItem item;
        item.kind = HitKind::overflow;
        item.level = level;
        item.text = count_text(hidden);
        if (level != several_levels)
            item.glyph = square_glyph(level_style(model_, level).glyph, m_);
        return item;
    }

    std::vector<PanelItem> place(int cap) const
    {
        std::vector<PanelItem> items;
        int x = area_.x;
        auto add = [&](PanelItem item, int width, bool new_group) {
            if (!items.empty())
                x += new_group ? m_.group_gap : m_.gap;
            item.box = row_box(m_, x, width);
            x += width;
            items.push_back(std::move(item));
        };
        for (std::size_t g = 0; g < merged_from_; ++g) {
            const Group &group = groups_[g];
            const int level = group.level;
            const Text glyph = square_glyph(level_style(model_, level).glyph, m_);
            PanelItem overflow = overflow_item(level, hidden_in(group));
            bool first = true;
            for (std::size_t i : group.windows) {
                if (!visible_[i]) {
                    overflow.hidden.push_back(model_.windows[i].id);
                    continue;
                }
                const WindowEntry &window = model_.windows[i];
                const int width = std::min(natural_[i], cap);
                const int room = width - m_.box_height - 2 * m_.pad;
                PanelItem item;
                item.kind = HitKind::window;
                item.level = level;
                item.window_id = window.id;
                item.focused = window.focused;
                item.glyph = glyph;
                item.text =
                    titles_[i]->width() <= room ? titles_[i] : shape_title(window.title, room);
                add(std::move(item), width, first);
                first = false;
            }
            if (!overflow.hidden.empty())
                add(std::move(overflow), overflow_width(overflow.hidden.size()), first);
        }
        if (merged_from_ < groups_.size()) {
            std::size_t count = 0;
            for (std::size_t g = merged_from_; g < groups_.size(); ++g)
                count += groups_[g].windows.size();
            PanelItem merged = overflow_item(several_levels, count);
            for (std::size_t g = merged_from_; g < groups_.size(); ++g) {
                if (std::find(merged.hidden_levels.begin(), merged.hidden_levels.end(),
                              groups_[g].level) == merged.hidden_levels.end())
                    merged.hidden_levels.push_back(groups_[g].level);
                for (std::size_t i : groups_[g].windows)
                    merged.hidden.push_back(model_.windows[i].id);
            }
            add(std::move(merged), overflow_width(count), true);
        }
        return items;
    }

    const PanelModel &model_;
    const PanelMetrics &m_;
    wm::Box area_;
    std::vector<Group> groups_;
    std::vector<Text> titles_;  // unshortened, per window
    std::vector<int> natural_;  // entry width showing the whole title, within the bounds
    std::vector<char> visible_; // per window
    std::size_t merged_from_;   // groups from here on share one "+N"
    int min_width_ = 0, max_width_ = 0;
};

// Right-side box holding a single text, `extra` pixels wider for an icon.
PanelItem text_box(HitKind kind, Text text, const PanelMetrics &m, int right, int extra = 0)
{
    PanelItem item;
    item.kind = kind;
    const int width = text->width() + 2 * m.pad + extra;
    item.box = row_box(m, right - width, width);
    item.text = std::move(text);
    return item;
}

} // namespace

Text level_label_text(const LevelStyle &style, int height)
{
    return shape_text(style.glyph + " " + style.name, {FontStyle::bold, height * 0.55, 0, false});
}

int level_label_width(const LevelStyle &style, int height, double scale)
{
    return level_label_text(style, height)->width() + 2 * scaled(6, scale);
}

PanelLayout layout_panel(const PanelModel &model, int width_px, int height_px, double scale)
{
    begin_text_generation();
    scale = std::clamp(std::isfinite(scale) ? scale : 1.0, 0.5, 8.0);
    PanelLayout layout;
    layout.width = std::max(0, width_px);
    layout.height = std::max(1, height_px);
    const PanelMetrics m = layout.metrics = metrics_for(layout.height, scale);

    // The focused level, always as wide as the widest label so nothing moves when it changes.
    PanelItem &focused = layout.focused_level;
    focused.kind = HitKind::focused_level;
    int focused_width =
        shape_text("no focus", text_spec(m, FontStyle::italic))->width() + 2 * m.pad;
    for (const LevelStyle &style : model.levels)
        focused_width = std::max(focused_width, level_label_width(style, layout.height, scale));
    focused_width = std::max(focused_width, level_label_width(model.trusted, layout.height, scale));
    focused.box = {0, 0, focused_width, layout.height};
    if (model.focused_level) {
        focused.level = checked_level(model, *model.focused_level);
        focused.text = level_label_text(level_style(model, focused.level), layout.height);
    } else {
        focused.text = shape_text("no focus", text_spec(m, FontStyle::italic));
    }

    // The right side, from the right edge: lock, clock, keyboard layout and Caps Lock, phrase.
    int right = layout.width - m.pad;
    layout.lock_button.kind = HitKind::lock_button;
    layout.lock_button.box = row_box(m, right - m.box_height, m.box_height);
    right = layout.lock_button.box.x - m.group_gap;
    if (!model.clock_text.empty()) {
        layout.clock =
            text_box(HitKind::none, shape_text(model.clock_text, text_spec(m, FontStyle::bold)), m,
                     right + m.pad);
        right = layout.clock.box.x + m.pad - m.group_gap;
    }
    if (model.caps_lock) {
        layout.caps_lock =
            text_box(HitKind::none, shape_text("CAPS", text_spec(m, FontStyle::bold)), m, right);
        right = layout.caps_lock.box.x - m.gap;
    }
    const std::string short_name = short_layout_name(model.layout_name);
    if (!short_name.empty()) {
        layout.keyboard = text_box(HitKind::none, shape_text(short_name, text_spec(m)), m, right);
        right = layout.keyboard.box.x - m.group_gap;
    }

    // The phrase box: an icon, then the phrase, cut short rather than crowding out the entries.
    const int icon = m.box_height * 6 / 10 + m.pad;
    const bool has_phrase = !model.security_phrase.empty();
    const TextSpec phrase_spec = has_phrase ? text_spec(m) : text_spec(m, FontStyle::italic);
    const std::string_view phrase = has_phrase ? std::string_view(model.security_phrase)
                                               : std::string_view("no security phrase set");
    Text phrase_text = shape_text(phrase, phrase_spec);
    const int entries_left = focused.box.width + m.group_gap;
    const int room = right - entries_left - scaled(240, scale); // keep room for some entries
    const int max_text = std::clamp(room - 2 * m.pad - icon, scaled(80, scale), scaled(260, scale));
    if (phrase_text->width() > max_text)
        phrase_text = shape_text(phrase, {phrase_spec.style, m.text_px, max_text, false});
    layout.phrase = text_box(HitKind::phrase, phrase_text, m, right, icon);
    right = layout.phrase.box.x - m.group_gap;

    layout.entries_area = {entries_left, 0, std::max(0, right - entries_left), layout.height};
    layout.entries = EntryPlanner(model, m, layout.entries_area).plan();
    return layout;
}

Hit hit_test(const PanelLayout &layout, double x, double y)
{
    if (!(y >= 0 && y < layout.height && x >= 0 && x < layout.width))
        return {};
    auto in_column = [x](const wm::Box &box) { return x >= box.x && x < box.x + box.width; };
    auto hit = [](const PanelItem &item) {
        return Hit{item.kind, item.window_id, item.level, &item};
    };
    if (in_column(layout.focused_level.box))
        return hit(layout.focused_level);
    if (in_column(layout.entries_area))
        for (const PanelItem &entry : layout.entries)
            if (in_column(entry.box))
                return hit(entry);
    if (in_column(layout.phrase.box))
        return hit(layout.phrase);
    if (in_column(layout.lock_button.box))
        return hit(layout.lock_button);
    return {};
}

} // namespace rampart::panel
