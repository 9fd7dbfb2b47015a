// Colour maths for frames, the panel and the theme checker: pure, no wlroots.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace rampart::wm {

struct Colour {
    float r = 0, g = 0, b = 0, a = 1; // 0..1, not premultiplied

    static Colour from_rgb(uint8_t r, uint8_t g, uint8_t b)
    {
        return {r / 255.0f, g / 255.0f, b / 255.0f, 1.0f};
    }
    uint32_t rgb() const
    {
        auto byte = [](float v) {
            return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
        };
        return byte(r) << 16 | byte(g) << 8 | byte(b);
    }
    bool operator==(const Colour &) const = default;
};

// Linear interpolation from a to b by t (0..1).
inline Colour mix(const Colour &a, const Colour &b, float t)
{
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t,
            a.a + (b.a - a.a) * t};
}

// WCAG 2 relative luminance and contrast ratio (1..21).
inline float relative_luminance(const Colour &c)
{
    auto linear = [](float v) {
        return v <= 0.03928f ? v / 12.92f : std::pow((v + 0.055f) / 1.055f, 2.4f);
    };
    return 0.2126f * linear(c.r) + 0.7152f * linear(c.g) + 0.0722f * linear(c.b);
}

inline float contrast_ratio(const Colour &a, const Colour &b)
{
    float la = relative_luminance(a), lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

// Black or white, whichever reads better on `background`.
inline Colour readable_on(const Colour &background)
{
    Colour black{0, 0, 0, 1}, white{1, 1, 1, 1};
    return contrast_ratio(background, white) >= contrast_ratio(background, black) ? white : black;
}

} // namespace rampart::wm
