// Shared by the lock-screen integration tests: colours, waits and the unlock gesture.
#pragma once

#include "harness.hpp"
#include "lock/lock_screen.hpp"
#include "lock_view.hpp"

#include <linux/input-event-codes.h>

#include <string_view>

namespace rampart::test {

inline constexpr uint32_t lock_background = 0x101216;
inline constexpr uint32_t lock_error_text = 0xff6b5e;
inline constexpr uint32_t panel_background = 0x18181b;
inline constexpr uint32_t client_colour = 0x3366cc;

// Waits until the lock is committed on every output and the broker has asked its first
// question (`prompts` counts every prompt event since the harness started).
inline bool wait_lock_ready(Harness &h, std::size_t prompts = 1)
{
    return h.wait_until([&] {
        return h.server().lock_screen->shown() && h.server_event_count("lock_prompt") >= prompts;
    });
}

// Whether any pixel of `image` is near `rgb`.
inline bool image_has(const Image &image, uint32_t rgb, int tolerance = 8)
{
    return image.any_in({0, 0, image.width(), image.height()}, rgb, tolerance);
}

// Whether the panel's strip (the top 28 px, right of where the software cursor may be)
// shows only the lock screen's background: no panel, no client.
inline bool panel_strip_is_lock(const Image &image)
{
    return image.all_in({64, 0, image.width() - 64, 28}, lock_background, 2);
}

// Types `text` and presses Enter (released at once unless `hold_enter`).
inline void answer(Harness &h, std::string_view text, bool hold_enter = false)
{
    h.type_text(text);
    h.key(KEY_ENTER, true);
    if (!hold_enter)
        h.key(KEY_ENTER, false);
}

} // namespace rampart::test
