#include "lock_view.hpp"

#include "panel/text.hpp"
#include "wm/geometry.hpp"

#include <glib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace rampart::lockscreen {

namespace {

using panel::FontStyle;
using panel::Text;
using wm::Box;
using wm::Colour;
namespace pal = lock_palette;

// Derived from the palette: the input well darker than the boxes, frames a little lighter.
const Colour well = wm::mix(pal::background, pal::box, 0.45f);
const Colour frame = wm::mix(pal::box, pal::muted, 0.35f);

struct Sizes {
    double scale;
    int px(double logical) const { return std::max(1, int(std::lround(logical * scale))); }
};

void set_source(cairo_t *cr, const Colour &colour, double alpha = 1)
{
    cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, colour.a * alpha);
}

// A filled rounded box with a crisp `line`-pixel frame just inside it.
void framed_box(cairo_t *cr, const Box &b, double radius, const Colour &fill, const Colour &edge,
                double line, double alpha = 1)
{
    auto path = [cr](double x, double y, double w, double h, double r) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
        cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
        cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
        cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
        cairo_close_path(cr);
    };
    path(b.x, b.y, b.width, b.height, radius);
    set_source(cr, fill, alpha);
    cairo_fill(cr);
    path(b.x + line / 2, b.y + line / 2, b.width - line, b.height - line, radius - line / 2);
    cairo_set_line_width(cr, line);
    set_source(cr, edge, alpha);
    cairo_stroke(cr);
}

// Text at (x, y), never painting outside `clip`: combining marks stacked by the hundred reach far
// beyond a line's logical extents, and must not run into the neighbouring rows.
void draw_text(cairo_t *cr, const Text &text, double x, double y, const Box &clip,
               const Colour &colour, double alpha = 1)
{
    cairo_save(cr);
    cairo_rectangle(cr, clip.x, clip.y, clip.width, clip.height);
    cairo_clip(cr);
    set_source(cr, colour, alpha);
    text->draw(cr, x, y);
    cairo_restore(cr);
}

// Lines one under the other from y, centred in `area` or from its left; each clipped to its own
// band, a tenth of a line over and under.
void draw_lines(cairo_t *cr, const std::vector<Text> &lines, const Box &area, bool centred, int y,
                const Colour &colour)
{
    for (const Text &t : lines) {
        const int x = centred ? area.x + (area.width - t->width()) / 2 : area.x;
        const int slack = t->height() / 10;
        draw_text(cr, t, x, y, {area.x, y - slack, area.width, t->height() + 2 * slack}, colour);
        y += t->height();
    }
}

// Valid UTF-8 without control characters, at most about 2 KiB (more can never be shown).
// Line breaks become '\n' when `keep_breaks` (PAM prompts may be multi-line), else spaces.
std::string clean(std::string_view in, bool keep_breaks)
{
    std::string out;
    const char *p = in.data(), *end = p + in.size();
    while (p < end && out.size() < 2048) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        const bool invalid = c == gunichar(-1) || c == gunichar(-2);
        p = invalid ? p + 1 : g_utf8_next_char(p); // an invalid byte is skipped alone
        if (invalid)
            c = 0xfffd;
        else if (c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029)
            c = keep_breaks ? '\n' : ' ';
        else if (g_unichar_iscntrl(c)) // NUL, tab, escapes: nothing to show
            c = ' ';
        char bytes[6];
        out.append(bytes, g_unichar_to_utf8(c, bytes));
    }
    return out;
}

// One line of plain text, cut with an ellipsis at `max_width` pixels unless no_cut. Always a
// left-to-right paragraph: one taking its letters' direction is aligned right of `max_width`.
constexpr int no_cut = -1;
Text shape(std::string_view text, FontStyle style, double size_px, int max_width)
{
    return panel::shape_text(
        text, {style, size_px, max_width == no_cut ? 0 : std::max(1, max_width), true});
}

// `raw` in at most `max_lines` lines no wider than `width`, broken at line breaks and between
// words; a word too long for a line is cut, and the last line takes all that is left, cut with
// an ellipsis. Empty lines are dropped: lines are too few to spend on nothing.
std::vector<Text> wrap(std::string_view raw, FontStyle style, double size_px, int width,
                       int max_lines)
{
    const std::string text = clean(raw, true);
    std::vector<Text> lines;
    std::string line;
    auto flush = [&] {
        line.erase(std::min(line.find_last_not_of(' ') + 1, line.size()));
        if (!line.empty())
            lines.push_back(shape(line, style, size_px, width));
        line.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t stop = std::min(text.find_first_of(" \n", i), text.size());
        if (stop == i) { // a space or a line break
            if (text[i++] == '\n')
                flush();
        } else if (int(lines.size()) + 1 >= max_lines) { // the last line: all the rest
            line += (line.empty() ? "" : " ") + text.substr(i);
            std::replace(line.begin(), line.end(), '\n', ' ');
            break;
        } else {
            const std::string candidate =
                (line.empty() ? "" : line + " ") + text.substr(i, stop - i);
            const bool fits = !shape(candidate, style, size_px, width)->ellipsized();
            if (fits || line.empty()) { // a word alone and too wide is cut
                line = candidate;
                i = stop;
            }
            if (!fits)
                flush();
        }
    }
    flush();
    return lines;
}

int lines_height(const std::vector<Text> &lines)
{
    return std::accumulate(lines.begin(), lines.end(), 0,
                           [](int sum, const Text &line) { return sum + line->height(); });
}

// Hidden length: of seven slots, count n lights order[(start + step * n) mod 7], order, start and
// step (1..6) drawn from a key. 7 being prime, consecutive counts light different slots: the user
// sees each key land. The key is new whenever the field is shown empty: neither a still image nor
// an earlier attempt seen over a shoulder tells the count. Any count > 0 draws the same ink.
constexpr int slot_count = 7;

thread_local uint64_t slot_key = std::random_device{}();

int lit_slot(std::size_t typed)
{
    std::array<int, slot_count> order{0, 1, 2, 3, 4, 5, 6};
    std::mt19937_64 random(slot_key);
    std::shuffle(order.begin(), order.end(), random);
    const uint64_t step = 1 + random() % (slot_count - 1), start = random() % slot_count;
    return order[(start + step * (typed % slot_count)) % slot_count];
}

// The input field: slots (length hidden), one dot per character, or the visible answer.
// Dots sit at whole-pixel steps: each is then the same pixels, shifted.
void draw_field(cairo_t *cr, const LockViewModel &m, const Box &field, const Sizes &z)
{
    const double alpha = m.input_enabled ? 1.0 : 0.4; // dimmed while input is not taken
    const int line = z.px(1), pad = z.px(14), cy = field.y + field.height / 2;
    framed_box(cr, field, z.px(6), well, m.input_enabled ? pal::muted : frame, line, alpha);
    const Box inner{field.x + pad, field.y + line, field.width - 2 * pad, field.height - 2 * line};
    if (inner.empty())
        return;
    const int caret_w = z.px(2), caret_h = std::min(inner.height, z.px(22));
    auto dot = [&](double x, double radius, const Colour &colour) {
        cairo_arc(cr, x, cy, radius, 0, 2 * M_PI);
        set_source(cr, colour, alpha);
        cairo_fill(cr);
    };
    int caret_x = inner.x;
    if (m.prompt_visible) {
        const Text answer =
            shape(clean(m.visible_answer, false), FontStyle::regular, 17 * z.scale, no_cut);
        // Too long: its end stays in view, as in any text field.
        const int x = inner.x + std::min(0, inner.width - 2 * caret_w - answer->width());
        draw_text(cr, answer, x, cy - answer->height() / 2, inner, pal::text, alpha);
        caret_x = x + answer->width() + z.px(1);
    } else if (m.show_length) { // capped at what the field holds
        const int step = z.px(17);
        const std::size_t fit = std::max(0, inner.width - caret_w - z.px(4)) / step;
        const int shown = int(std::min(m.typed_count, fit));
        for (int i = 0; i < shown; ++i)
            dot(inner.x + step * i + step / 2, 4 * z.scale, pal::text);
        caret_x = inner.x + step * shown + z.px(2);
    } else {
        if (m.typed_count == 0)
            slot_key = std::random_device{}();
        const int step = std::min(z.px(22), inner.width / slot_count);
        const int left = inner.x + (inner.width - step * (slot_count - 1)) / 2;
        const int lit = m.typed_count > 0 ? lit_slot(m.typed_count) : -1;
        const Colour dim = wm::mix(well, pal::muted, 0.5f);
        for (int i = 0; i < slot_count; ++i)
            dot(left + i * step, std::min((i == lit ? 6 : 3) * z.scale, step * 0.4),
                i == lit ? pal::text : dim);
        return; // no caret: there is no position to show
    }
    if (m.input_enabled && caret_x + caret_w <= inner.x + inner.width) {
        set_source(cr, pal::text, 0.85);
        cairo_rectangle(cr, caret_x, cy - caret_h / 2, caret_w, caret_h);
        cairo_fill(cr);
    }
}

// Rampart's mark before the phrase's caption, drawn with paths so that no font can change it.
void draw_shield(cairo_t *cr, double x, double y, double size, const Colour &colour)
{
    const double w = size * 0.8;
    cairo_move_to(cr, x, y + size * 0.15);
    cairo_line_to(cr, x + w / 2, y);
    cairo_line_to(cr, x + w, y + size * 0.15);
    cairo_curve_to(cr, x + w, y + size * 0.6, x + w * 0.8, y + size * 0.85, x + w / 2, y + size);
    cairo_curve_to(cr, x + w * 0.2, y + size * 0.85, x, y + size * 0.6, x, y + size * 0.15);
    set_source(cr, colour);
    cairo_fill(cr);
}

// The layout: one centred column of rows, top to bottom: clock, date, user name, security phrase,
// the prompt box (prompt, field, Caps Lock and layout), message, backoff, failed attempts; the hint
// apart at the bottom. When the column does not fit, it gives up, in this order (each step keeping
// the earlier ones): the room kept for status lines not shown now (kept so that nothing jumps when
// one appears), the date, the clock, the hint, the phrase's extra lines, the phrase, the user
// name, the prompt's and message's extra lines, then spacing. The prompt and the field are never
// given up: if even they do not fit, the column starts at the top and later rows are left out.
enum class Drop { reserve = 1, date, clock, hint, phrase_lines, phrase, name, lines, spacing };
constexpr int drop_steps = int(Drop::spacing) + 1;

// Where the next row goes. Measures only when `cr` is null.
struct Column {
    cairo_t *cr;
    int y = 0, bottom = 0; // a row reaching past `bottom` is left out, with all after it
    bool first = true, full = false;

    // The top of the next row, `gap` under the last one; -1: not to be painted.
    int next(int gap, int height)
    {
        const int top = y + (first ? 0 : gap);
        y = top + height;
        full = full || (!first && y > bottom); // the first row is painted whatever its size
        first = false;
        return cr && !full ? top : -1;
    }
};

void lay_out(Column &c, const LockViewModel &m, int step, const Box &col, const Sizes &z)
{
    auto keeps = [step](Drop what) { return step < int(what); };
    const bool roomy = keeps(Drop::spacing);
    const int group = z.px(roomy ? 28 : 10), pad = z.px(roomy ? 20 : 10);
    const int inner = col.width - 2 * pad, lines = keeps(Drop::lines) ? 3 : 1;
    auto one_line = [&](const std::string &text, FontStyle style, double size) {
        return std::vector<Text>{shape(clean(text, false), style, size * z.scale, col.width)};
    };
    auto centred = [&](const std::vector<Text> &texts, const Colour &colour, int gap) {
        if (const int top = c.next(gap, lines_height(texts)); top >= 0)
            draw_lines(c.cr, texts, col, true, top, colour);
    };
    if (keeps(Drop::clock) && !m.clock_text.empty())
        centred(one_line(m.clock_text, FontStyle::regular, 64), pal::text, 0);
    if (keeps(Drop::date) && !m.date_text.empty())
        centred(one_line(m.date_text, FontStyle::regular, 18), pal::muted, z.px(2));
    if (keeps(Drop::name) && !m.user_name.empty())
        centred(one_line(m.user_name, FontStyle::bold, 20), pal::text, group);

    // The phrase, framed and calm: it proves this screen is Rampart's, not a window's.
    if (keeps(Drop::phrase)) {
        const int icon = z.px(13), space = z.px(5), gap = z.px(4), vpad = z.px(roomy ? 14 : 8);
        const Text caption =
            shape("Your security phrase", FontStyle::regular, 12.5 * z.scale, inner - icon - space);
        const bool none = m.security_phrase.empty();
        const std::vector<Text> phrase =
            wrap(none ? "No security phrase set" : m.security_phrase,
                 none ? FontStyle::italic : FontStyle::regular, 19 * z.scale, inner,
                 keeps(Drop::phrase_lines) ? 3 : 1);
        const int height = 2 * vpad + caption->height() + gap + lines_height(phrase);
        if (const int top = c.next(keeps(Drop::name) ? z.px(12) : group, height); top >= 0) {
            framed_box(c.cr, {col.x, top, col.width, height}, z.px(8), pal::box, frame, z.px(1));
            const Box area{col.x + pad, top + vpad, inner, height - 2 * vpad};
            const int left = area.x + (inner - icon - space - caption->width()) / 2;
            draw_shield(c.cr, left, area.y + (caption->height() - icon) / 2.0, icon, pal::muted);
            draw_text(c.cr, caption, left + icon + space, area.y, area, pal::muted);
            draw_lines(c.cr, phrase, area, true, area.y + caption->height() + gap,
                       none ? pal::warning : pal::text);
        }
    }

    // The prompt box, left-aligned like a form: prompt, field, Caps Lock (left), layout (right).
    const int field_h = z.px(46), gap = z.px(10), vpad = z.px(roomy ? 18 : 10);
    const std::vector<Text> prompt = wrap(m.prompt, FontStyle::regular, 16 * z.scale, inner, lines);
    const int prompt_h = std::max(lines_height(prompt), // one line, even when empty
                                  shape(" ", FontStyle::regular, 16 * z.scale, 0)->height());
    const Text caps = shape("Caps Lock is on", FontStyle::bold, 13 * z.scale, inner / 2);
    const Text layout = shape(m.layout_name.empty() ? "" : "Layout: " + clean(m.layout_name, false),
                              FontStyle::regular, 13 * z.scale,
                              inner - (m.caps_lock ? caps->width() + z.px(12) : 0));
    const int height = 2 * vpad + prompt_h + gap + field_h + z.px(8) + caps->height();
    if (const int top = c.next(group, height); top >= 0) {
        framed_box(c.cr, {col.x, top, col.width, height}, z.px(10), pal::box, frame, z.px(1));
        const Box area{col.x + pad, top + vpad, inner, height - 2 * vpad};
        draw_lines(c.cr, prompt, area, false, area.y, pal::text);
        const int field_y = area.y + prompt_h + gap, status_y = field_y + field_h + z.px(8);
        draw_field(c.cr, m, {area.x, field_y, inner, field_h}, z);
        const Box status{area.x, status_y - z.px(4), inner, caps->height() + z.px(8)};
        if (m.caps_lock)
            draw_text(c.cr, caps, area.x, status_y, status, pal::warning);
        draw_text(c.cr, layout, area.x + inner - layout->width(), status_y, status, pal::muted);
    }

    // Status lines under the box.
    const int status_top = c.y;
    int spacing = z.px(roomy ? 16 : 8);
    if (m.message_kind != MessageKind::none && !m.message.empty()) {
        const bool error = m.message_kind == MessageKind::error;
        const Colour by_kind[] = {pal::text, pal::muted, pal::text, pal::error}; // MessageKind
        centred(wrap(m.message, error ? FontStyle::bold : FontStyle::regular, 15 * z.scale,
                     col.width, lines),
                by_kind[int(m.message_kind)], std::exchange(spacing, z.px(4)));
    }
    if (!m.backoff_text.empty())
        centred(one_line(m.backoff_text, FontStyle::regular, 15), pal::warning,
                std::exchange(spacing, z.px(4)));
    if (const unsigned n = m.failed_attempts; n > 0)
        centred(one_line(std::to_string(n) + " failed attempt" + (n == 1 ? "" : "s") +
                             " since last unlock",
                         FontStyle::regular, 14),
                pal::muted, spacing);
    if (keeps(Drop::reserve)) { // room for a message, a backoff and the attempts, shown or not
        const int line = shape(" ", FontStyle::regular, 15 * z.scale, 0)->height();
        c.y = std::max(c.y, status_top + z.px(roomy ? 24 : 16) + 3 * line);
    }
}

} // namespace

void render_lock_screen(cairo_t *cr, const LockViewModel &model, int width, int height,
                        double scale)
{
    if (width <= 0 || height <= 0)
        return;
    const Sizes z{std::isfinite(scale) ? std::clamp(scale, 0.25, 8.0) : 1.0};
    panel::begin_text_generation();
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_clip(cr);                  // nothing outside the buffer, whatever the strings
    set_source(cr, pal::background); // opaque: replaces whatever the buffer held
    cairo_paint(cr);

    const int margin_x = std::min(z.px(24), width / 20), margin_y = std::min(z.px(24), height / 25);
    const int col_width = std::min(z.px(440), width - 2 * margin_x);
    const Box col{(width - col_width) / 2, 0, col_width, 0};
    const Text hint =
        shape(clean(model.hint, false), FontStyle::regular, 14 * z.scale, width - 2 * margin_x);
    auto with_hint = [&](int step) { return !model.hint.empty() && step < int(Drop::hint); };
    auto spare = [&](int step) { // room left around the column: < 0 when it does not fit
        Column measure{nullptr};
        lay_out(measure, model, step, col, z);
        return height - 2 * margin_y - (with_hint(step) ? hint->height() + z.px(16) : 0) -
               measure.y;
    };
    int step = 0;
    while (step + 1 < drop_steps && spare(step) < 0)
        ++step;
    // A little above the middle, where the eye expects a centred column.
    Column column{cr, margin_y + std::max(0, spare(step) * 9 / 20), height};
    lay_out(column, model, step, col, z);
    if (with_hint(step))
        draw_lines(cr, {hint}, {margin_x, 0, width - 2 * margin_x, 0}, true,
                   height - margin_y - hint->height(), pal::muted);
    cairo_restore(cr);
}

} // namespace rampart::lockscreen
