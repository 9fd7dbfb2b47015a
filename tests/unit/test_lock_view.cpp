// The lock screen by its pixels: opaque and inside its buffer, the length of a hidden secret not
// shown, Caps Lock and errors in their colours, hostile strings, HiDPI and tiny outputs. Writes
// PNGs to $RAMPART_TEST_OUT (default /tmp) for a human to look at.
#include "lock_view.hpp"

#include <catch2/catch.hpp>
#include <glib.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

using namespace rampart::lockscreen;
using rampart::wm::Colour;

namespace {

constexpr int border = 4; // pixels around the buffer that must stay untouched

struct SurfaceFree {
    void operator()(cairo_surface_t *surface) const { cairo_surface_destroy(surface); }
};

struct Rect {
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1; // inclusive; empty while x1 < x0
    bool empty() const { return x1 < x0; }
    void add(int x, int y)
    {
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    }
};

bool near(uint32_t have, const Colour &colour, int tolerance)
{
    const uint32_t want = colour.rgb();
    for (int shift = 0; shift <= 16; shift += 8)
        if (std::abs(int(have >> shift & 0xff) - int(want >> shift & 0xff)) > tolerance)
            return false;
    return true;
}

struct Image {
    std::unique_ptr<cairo_surface_t, SurfaceFree> surface;
    int width, height; // the buffer, without the border

    // ARGB at buffer coordinates, which may be in the border (-border..width+border-1).
    uint32_t argb(int x, int y) const
    {
        cairo_surface_flush(surface.get());
        const unsigned char *row = cairo_image_surface_get_data(surface.get()) +
                                   (y + border) * cairo_image_surface_get_stride(surface.get());
        uint32_t value;
        std::memcpy(&value, row + 4 * (x + border), 4);
        return value;
    }
    bool ink(int x, int y) const { return !near(argb(x, y), lock_palette::background, 1); }
    // The buffer's pixels where `test(x, y)` holds: their bounds, and `found` gets their number.
    template <typename Test> Rect where(Test test, int *found = nullptr) const
    {
        int ignored = 0;
        found = found ? found : &ignored;
        Rect r;
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                if (test(x, y)) {
                    r.add(x, y);
                    *found += 1;
                }
        return r;
    }
    int count(const Colour &colour, int tolerance = 12) const
    {
        int found = 0;
        where([&](int x, int y) { return near(argb(x, y), colour, tolerance); }, &found);
        return found;
    }
    bool border_untouched() const
    {
        for (int y = -border; y < height + border; ++y)
            for (int x = -border; x < width + border; ++x)
                if ((x < 0 || y < 0 || x >= width || y >= height) && argb(x, y) != 0)
                    return false;
        return true;
    }
    bool opaque() const
    {
        return where([&](int x, int y) { return argb(x, y) >> 24 != 0xff; }).empty();
    }
    Rect ink_bounds() const
    {
        return where([&](int x, int y) { return ink(x, y); });
    }
    Rect diff(const Image &other) const
    {
        return where([&](int x, int y) { return argb(x, y) != other.argb(x, y); });
    }
    void save(const std::string &name) const
    {
        const char *dir = std::getenv("RAMPART_TEST_OUT");
        const std::string folder = dir && *dir ? dir : "/tmp";
        g_mkdir_with_parents(folder.c_str(), 0755);
        std::unique_ptr<cairo_surface_t, SurfaceFree> buffer(cairo_surface_create_for_rectangle(
            surface.get(), border, border, width, height)); // without the border
        cairo_surface_write_to_png(buffer.get(), (folder + "/" + name).c_str());
    }
};

Image render(const LockViewModel &model, int width, int height, double scale = 1)
{
    Image image{std::unique_ptr<cairo_surface_t, SurfaceFree>(cairo_image_surface_create(
                    CAIRO_FORMAT_ARGB32, width + 2 * border, height + 2 * border)),
                width, height};
    cairo_t *cr = cairo_create(image.surface.get());
    cairo_translate(cr, border, border);
    render_lock_screen(cr, model, width, height, scale);
    cairo_destroy(cr);
    return image;
}

LockViewModel typical()
{
    LockViewModel m;
    m.clock_text = "14:05";
    m.date_text = "Friday 27 November";
    m.user_name = "Alice Martin";
    m.security_phrase = "purple otter under a quiet bridge";
    m.prompt = "Password: ";
    m.layout_name = "us";
    m.hint = "Type your password and press Enter";
    return m;
}

std::string many_words()
{
    std::string words;
    for (int i = 0; i < 200; ++i)
        words += "word" + std::to_string(i) + " ";
    return words;
}

LockViewModel everything()
{
    LockViewModel m = typical();
    m.typed_count = 5;
    m.caps_lock = true;
    m.message_kind = MessageKind::error;
    m.message = "Wrong password";
    m.backoff_text = "Try again in 28 s";
    m.failed_attempts = 3;
    return m;
}

// Pixels of lit dots: the text colour (the rest of the screen being the same in each image).
int lit(const Image &image)
{
    return image.count(lock_palette::text, 40);
}

} // namespace

TEST_CASE("the lock screen is opaque, fills its buffer and draws nothing outside it", "[lock_view]")
{
    for (const LockViewModel &model : {typical(), everything(), LockViewModel{}}) {
        const Image image = render(model, 1280, 800);
        CHECK(image.opaque());
        CHECK(image.border_untouched());
        for (int y : {0, 799})
            for (int x : {0, 640, 1279})
                CHECK_FALSE(image.ink(x, y));
        const Rect ink = image.ink_bounds();
        REQUIRE_FALSE(ink.empty()); // the field is always there
        CHECK(ink.x0 >= 400);       // a centred column (the hint aside, below)
        CHECK(ink.x1 < 880);
    }
    render(typical(), 1280, 800).save("lock-screen-idle.png");
    render(everything(), 1280, 800).save("lock-screen.png");
}

TEST_CASE("a hidden length: each keystroke changes the field, the count never shows", "[lock_view]")
{
    LockViewModel model = typical();
    const Image empty = render(model, 1280, 800);
    model.typed_count = 1;
    const Image one = render(model, 1280, 800);
    CHECK_FALSE(one.diff(empty).empty());
    // The same ink for any count: one lit slot. Consecutive counts light different slots.
    const int ink = lit(one);
    CHECK(ink > lit(empty));
    for (std::size_t count : {2u, 3u, 6u, 7u, 8u, 13u, 14u, 40u, 1000u}) {
        model.typed_count = count - 1;
        const Image before = render(model, 1280, 800);
        model.typed_count = count;
        const Image after = render(model, 1280, 800);
        CHECK(lit(after) == ink);
        CHECK_FALSE(after.diff(before).empty());
    }
    model.typed_count = 3;
    const Image three = render(model, 1280, 800);
    model.typed_count = 7;
    const Image seven = render(model, 1280, 800);
    CHECK(lit(three) == lit(seven));
    // The slots are drawn afresh each time the field is empty: the count at which a slot is lit
    // is not the same from one attempt to the next (in at least one of a few attempts).
    bool moved = false;
    for (int attempt = 0; attempt < 8 && !moved; ++attempt) {
        model.typed_count = 0;
        render(model, 64, 64);
        model.typed_count = 3;
        moved = !render(model, 1280, 800).diff(three).empty();
    }
    CHECK(moved);
    three.save("lock-screen-typing.png");
}

TEST_CASE("show_length: one dot per character, up to the field's width", "[lock_view]")
{
    LockViewModel model = typical();
    model.show_length = true;
    int last = -1;
    for (std::size_t count = 0; count <= 6; ++count) {
        model.typed_count = count;
        const int ink = lit(render(model, 1280, 800));
        CHECK(ink > last);
        last = ink;
    }
    model.typed_count = 5000;
    const Image many = render(model, 1280, 800);
    model.typed_count = 6000;
    const Image more = render(model, 1280, 800);
    CHECK(lit(many) == lit(more)); // capped
    model.typed_count = 0;
    const Rect dots = many.diff(render(model, 1280, 800));
    CHECK(dots.x0 >= 420 + 20); // inside the field, inside the prompt box
    CHECK(dots.x1 < 860 - 20);
    model.typed_count = 9;
    render(model, 1280, 800).save("lock-screen-show-length.png");
}

TEST_CASE("an echo-on prompt shows the answer, its end in view", "[lock_view]")
{
    LockViewModel model = typical();
    model.prompt = "Verification code:";
    model.prompt_visible = true;
    model.visible_answer = "4711";
    const Image short_answer = render(model, 1280, 800);
    model.visible_answer = "4712";
    CHECK_FALSE(render(model, 1280, 800).diff(short_answer).empty());
    model.visible_answer = std::string(600, 'W') + "END";
    const Image long_answer = render(model, 1280, 800);
    model.visible_answer.clear();
    const Rect answer = long_answer.diff(render(model, 1280, 800));
    CHECK(answer.x0 >= 440);
    CHECK(answer.x1 < 840);
    short_answer.save("lock-screen-visible.png");
}

TEST_CASE("disabled input dims the field", "[lock_view]")
{
    LockViewModel model = everything();
    model.caps_lock = false;
    const Image enabled = render(model, 1280, 800);
    model.input_enabled = false;
    model.message_kind = MessageKind::progress;
    model.message = "Checking…";
    model.backoff_text.clear();
    const Image disabled = render(model, 1280, 800);
    CHECK(lit(disabled) < lit(enabled));
    CHECK(disabled.count(lock_palette::error, 40) == 0);
    disabled.save("lock-screen-checking.png");
}

TEST_CASE("Caps Lock shows only when on, in the warning colour", "[lock_view]")
{
    LockViewModel model = typical();
    CHECK(render(model, 1280, 800).count(lock_palette::warning, 30) == 0);
    model.caps_lock = true;
    CHECK(render(model, 1280, 800).count(lock_palette::warning, 30) > 30);
}

TEST_CASE("messages take their kind's colour", "[lock_view]")
{
    LockViewModel model = typical();
    model.message = "Wrong password";
    model.message_kind = MessageKind::error;
    CHECK(render(model, 1280, 800).count(lock_palette::error, 30) > 30);
    for (MessageKind kind : {MessageKind::info, MessageKind::progress, MessageKind::none}) {
        model.message_kind = kind;
        CHECK(render(model, 1280, 800).count(lock_palette::error, 60) == 0);
    }
    model.message_kind = MessageKind::info;
    const Image info = render(model, 1280, 800);
    model.message_kind = MessageKind::none; // no kind: not shown
    const Image none = render(model, 1280, 800);
    model.message.clear();
    CHECK(none.diff(render(model, 1280, 800)).empty());
    CHECK_FALSE(info.diff(none).empty());
}

TEST_CASE("hostile strings stay in their place and inside the buffer", "[lock_view]")
{
    const std::string long_text(1000, 'M'), words = many_words();
    std::string zalgo = "Z";
    for (int i = 0; i < 300; ++i)
        zalgo += "\xcc\x81\xcd\x82"; // combining acute and a combining mark above
    const std::string rtl = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d "
                            "\xe2\x80\xae reversed \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85";
    const std::string nasty = std::string("a\0b\n\r\t\x1b[31mred\xff\xfe", 16) + "\u2028line";
    std::vector<LockViewModel> models;
    for (const std::string &s : {long_text, words, zalgo, rtl, nasty, std::string()}) {
        LockViewModel m = everything();
        m.clock_text = m.date_text = m.user_name = m.security_phrase = s;
        m.prompt = s + "\n" + s + "\n" + s + "\n" + s;
        m.message = m.backoff_text = m.hint = m.layout_name = s;
        models.push_back(m);
        m.prompt_visible = true;
        m.visible_answer = s;
        m.failed_attempts = 4000000000u;
        models.push_back(m);
    }
    models.push_back(LockViewModel{}); // empty everything
    int n = 0;
    for (const LockViewModel &model : models) {
        for (auto [w, h, scale] : {std::tuple{1280, 800, 1.0}, std::tuple{320, 200, 1.0},
                                   std::tuple{2560, 1600, 2.0}, std::tuple{40, 30, 3.0}}) {
            const Image image = render(model, w, h, scale);
            CHECK(image.border_untouched());
            CHECK(image.opaque());
            // Nothing runs to the edges, nor out of the column (the hint aside, at the bottom).
            const int edge = std::min(w, h) >= 200 ? 3 : 0;
            const int col = std::min<int>(440 * scale, w - 2 * std::min<int>(24 * scale, w / 20));
            const int hint_top = h - (std::min<int>(24 * scale, h / 25) + 24 * scale);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    const bool at_edge = x < edge || y < edge || x >= w - edge || y >= h - edge;
                    const bool outside = x < (w - col) / 2 || x >= (w + col) / 2;
                    if (at_edge || (outside && y < hint_top && image.ink(x, y))) {
                        INFO("model " << n << " at " << w << "x" << h << ": " << x << "," << y);
                        REQUIRE_FALSE(image.ink(x, y));
                    }
                }
            if (w == 1280 && (n == 0 || n == 4 || n == 6 || n == 8))
                image.save("lock-screen-hostile-" + std::to_string(n) + ".png");
        }
        ++n;
    }
}

TEST_CASE("hostile strings keep to their own row", "[lock_view]")
{
    // Each string in turn: a plain one, another plain one (where its row's ink is), then the
    // same with a pile of combining marks above and below, which must stay near that row.
    std::string marks;
    for (int i = 0; i < 200; ++i)
        marks += "\xcc\x81\xcc\xa3\xcd\x82\xcc\xb0"; // above, below, above, below
    std::string LockViewModel::*const fields[] = {
        &LockViewModel::user_name, &LockViewModel::security_phrase, &LockViewModel::prompt,
        &LockViewModel::message,   &LockViewModel::backoff_text,    &LockViewModel::layout_name};
    for (std::string LockViewModel::*field : fields) {
        LockViewModel model = everything();
        model.*field = "\xc3\x89gy"; // Égy: the full height of a line
        const Image plain = render(model, 1280, 800);
        model.*field = "\xc3\x88jp";
        const Rect row = plain.diff(render(model, 1280, 800));
        model.*field = "\xc3\x89gy" + marks;
        const Image hostile = render(model, 1280, 800);
        const Rect changed = plain.diff(hostile);
        REQUIRE_FALSE(row.empty());
        CHECK(changed.y0 >= row.y0 - 4);
        CHECK(changed.y1 <= row.y1 + 4);
        if (field == &LockViewModel::prompt)
            hostile.save("lock-screen-hostile-marks.png");
    }
}

TEST_CASE("long prompts and phrases wrap to at most three lines", "[lock_view]")
{
    const std::string words = many_words();
    // Where the field is: what changes with the first keystroke.
    auto field = [](LockViewModel model) {
        const Image empty = render(model, 1280, 800);
        model.typed_count = 1;
        return render(model, 1280, 800).diff(empty);
    };
    LockViewModel three = typical(), many = typical();
    three.prompt = "one\ntwo\nthree";
    three.security_phrase = "one\ntwo\nthree";
    many.prompt = words;
    many.security_phrase = words + "\n" + words;
    const Rect a = field(three), b = field(many);
    CHECK(a.y0 == b.y0);
    CHECK(a.y1 == b.y1);
    many.hint = "Press Enter";
    render(many, 1280, 800).save("lock-screen-wrapped.png");
}

TEST_CASE("right-to-left text is centred like any other", "[lock_view]")
{
    LockViewModel model;
    const Image none = render(model, 1280, 800);
    for (int words : {1, 60}) {
        model.user_name.clear();
        for (int i = 0; i < words; ++i)
            model.user_name += "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "; // a Hebrew word
        const Rect name = render(model, 1280, 800).diff(none);
        REQUIRE_FALSE(name.empty());
        CHECK(std::abs((name.x0 + name.x1) / 2 - 640) <= 4);
    }
}

TEST_CASE("HiDPI: twice the scale, twice the pixels", "[lock_view]")
{
    const Image normal = render(everything(), 1280, 800, 1);
    const Image hidpi = render(everything(), 2560, 1600, 2);
    hidpi.save("lock-screen-hidpi.png");
    const Rect a = normal.ink_bounds(), b = hidpi.ink_bounds();
    for (auto [one, two] : {std::pair{a.x0, b.x0}, {a.x1, b.x1}, {a.y0, b.y0}, {a.y1, b.y1}})
        CHECK(std::abs(two - 2 * one) <= 6);
}

TEST_CASE("a tiny output still shows the prompt and the field", "[lock_view]")
{
    LockViewModel model = everything();
    model.prompt = "Password for alice on a small screen, please, typed carefully: ";
    for (auto [w, h, scale] : {std::tuple{320, 200, 1.0}, std::tuple{640, 400, 2.0}}) {
        const Image shown = render(model, w, h, scale);
        LockViewModel other = model;
        other.input_enabled = false; // dims the whole field
        const Rect field = shown.diff(render(other, w, h, scale));
        REQUIRE_FALSE(field.empty());
        CHECK(field.y0 > 0);
        CHECK(field.y1 < h - 1);
        other = model;
        other.prompt.clear();
        CHECK_FALSE(render(other, w, h, scale).diff(shown).empty()); // the prompt shows
        CHECK(shown.count(lock_palette::error, 30) > 20);            // so does the message
        if (scale == 1)
            shown.save("lock-screen-tiny.png");
    }
}
