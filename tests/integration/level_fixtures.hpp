// Level configurations and helpers shared by the level, panel and overview tests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace rampart::test {

inline constexpr uint32_t public_rgb = 0x2e7d32, internal_rgb = 0x1565c0, secret_rgb = 0xc62828;

inline const std::string public_level = R"(
[[level]]
id = "public"
name = "Public"
color = "#2e7d32"
text_color = "#ffffff"
glyph = "○"
socket = "rampart-public"
)";

inline const std::string internal_level = R"(
[[level]]
id = "internal"
name = "Internal"
color = "#1565c0"
text_color = "#ffffff"
glyph = "◐"
pattern = "dots"
socket = "rampart-internal"
)";

inline const std::string secret_level = R"(
[[level]]
id = "secret"
name = "Secret"
color = "#c62828"
text_color = "#ffffff"
glyph = "●"
pattern = "stripes"
socket = "rampart-secret"
max_windows = 20
)";

inline const std::string two_levels = public_level + secret_level;
inline const std::string three_levels = public_level + internal_level + secret_level;

inline std::string hostile_client()
{
    const char *binary = std::getenv("RAMPART_HOSTILE_CLIENT");
    return binary ? binary : "rampart-hostile-client";
}

} // namespace rampart::test
