// Helpers shared by the config unit tests: parse fixed-path texts, expect success or an error.
#pragma once

#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <random>
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

// Damages `valid` at random (fixed seed: a failure must be reproducible) and parses it as the
// system and as the user file in turn: never an exception, always exactly one of config or
// error, a message for every error; `check` may look further at each result.
inline void check_random_damage(const std::string &valid, uint32_t seed, int rounds,
                                const std::string &insertable,
                                const std::function<void(const LoadResult &)> &check = {})
{
    std::mt19937 rng(seed);
    for (int round = 0; round < rounds; ++round) {
        std::string text = valid;
        const int damage = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < damage; ++i) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 4) {
            case 0: text[at] = static_cast<char>(rng() % 256); break;
            case 1: text.erase(at, 1 + rng() % 16); break;
            case 2:
                text.insert(at, std::string(1 + rng() % 4, insertable[rng() % insertable.size()]));
                break;
            default: text.insert(at, text.substr(rng() % text.size(), rng() % 64)); break;
            }
            if (text.empty())
                text = "x";
        }
        INFO("round " << round);
        LoadResult result;
        REQUIRE_NOTHROW(result = round % 2 ? parse_files(text) : parse_files("", text));
        REQUIRE(result.config.has_value() != result.error.has_value());
        if (result.error)
            CHECK_FALSE(result.error->message.empty());
        if (check)
            check(result);
    }
}

} // namespace rampart::config::test
