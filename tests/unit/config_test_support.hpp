// Helpers shared by the config unit tests: parse fixed-path texts, expect success or an error.
#pragma once

#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace rampart::config::test {

inline const std::string system_path = "/etc/rampart/rampart.toml";
inline const std::string user_path = "/home/user/.config/rampart/rampart.toml";

inline LoadResult parse_files(const std::string &system_text, const std::string &user_text = "")
{
    return parse(system_text, system_path, user_text, user_path);
}

inline Config parse_ok(const std::string &system_text, const std::string &user_text = "")
{
    LoadResult result = parse_files(system_text, user_text);
    INFO("error: " << (result.error ? result.error->to_string() : "none"));
    REQUIRE(result.config);
    REQUIRE_FALSE(result.error);
    return *result.config;
}

// The whole "path:line:col: message" text, or "no error".
inline std::string error_text(const std::string &system_text, const std::string &user_text = "")
{
    LoadResult result = parse_files(system_text, user_text);
    CHECK(result.config.has_value() != result.error.has_value());
    return result.error ? result.error->to_string() : "no error";
}

}  // namespace rampart::config::test
