// Unit tests for [levels] and [[level]] in the system config: the security levels, their
// labels and their sockets.
#include "config/config.hpp"
#include "config_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

using namespace rampart::config;
using namespace rampart::config::test;

namespace {

// A valid [[level]] of seven lines, [[level]] first and socket last, then `extra` lines.
std::string level(const std::string &id, const std::string &extra = "")
{
    return "[[level]]\nid = \"" + id + "\"\nname = \"" + id +
           " name\"\ncolor = \"#102030\"\n"
           "text_color = \"#ffffff\"\nglyph = \"●\"\nsocket = \"rampart-" +
           id + "\"\n" + extra;
}

// A valid [[level]] with id "a" and `key` set to `value` (TOML text): in its place among the
// required keys (id on line 2 ... socket on line 7), or on line 8 for an optional key.
std::string level_with(const std::string &key, const std::string &value)
{
    const std::pair<std::string, std::string> required[] = {
        {"id", "\"a\""},          {"name", "\"A\""},
        {"color", "\"#000000\""}, {"text_color", "\"#ffffff\""},
        {"glyph", "\"A\""},       {"socket", "\"a\""}};
    std::string text = "[[level]]\n";
    bool replaced = false;
    for (const auto &[name, default_value] : required) {
        replaced = replaced || name == key;
        text += name + " = " + (name == key ? value : default_value) + "\n";
    }
    return replaced ? text : text + key + " = " + value + "\n";
}

std::vector<std::string> level_ids(const Config &config)
{
    std::vector<std::string> ids;
    for (const LevelConfig &level : config.levels.levels)
        ids.push_back(level.id);
    return ids;
}

const char *example_levels = R"(
[levels]
plain_socket = "internal"
trusted_socket = "rampart-trusted"

[[level]]
id = "public"
name = "Public"
color = "#2e7d32"
text_color = "#ffffff"
glyph = "○"
socket = "rampart-public"

[[level]]
id = "internal"
name = "Intern – Internal"
color = "#1565C0"
text_color = "#FaFaFa"
glyph = "◐◐"
pattern = "dots"
socket = "/run/rampart/internal.sock"
socket_owner = "rampart-internal"
socket_group = "1001"
socket_mode = "660"
max_windows = 10
max_width = 4096
max_height = 2048

[[level]]
id = "top_secret-2"
name = "Top Secret"
color = "#b71c1c"
text_color = "#000000"
glyph = "❤️"
pattern = "checks"
socket = "levels/secret"
socket_owner = "0"
socket_group = "_rampart"
socket_mode = "0600"
max_windows = 1000
max_width = 16384
max_height = 64
)";

} // namespace

TEST_CASE("Without [[level]] there is one default level on the plain socket", "[config][levels]")
{
    const Config config = parse_ok("");
    REQUIRE(config.levels.levels.size() == 1);
    const LevelConfig &only = config.levels.levels[0];
    CHECK(only.id == "default");
    CHECK(only.name == "Unclassified");
    CHECK(only.glyph == "◇");
    CHECK(only.color == Rgb{0x5a, 0x5a, 0x5a});
    CHECK(only.text_color == Rgb{0xff, 0xff, 0xff});
    CHECK(only.pattern == TitlePattern::none);
    CHECK(only.socket == "rampart-default");
    CHECK(only.socket_owner.empty());
    CHECK(only.socket_group.empty());
    CHECK(only.socket_mode == 0600);
    CHECK(only.max_windows == 64);
    CHECK(only.max_width == 16384); // the [window] limits
    CHECK(only.max_height == 16384);
    CHECK(config.levels.plain_socket_level == "default");
    CHECK(config.levels.trusted_socket.empty());

    // The default follows [window], and [levels] still applies to it.
    const Config limited = parse_ok("[levels]\nplain_socket = \"none\"\ntrusted_socket = \"t\"\n"
                                    "[window]\nmax_width = 1024\nmax_height = 768\n");
    REQUIRE(limited.levels.levels.size() == 1);
    CHECK(limited.levels.levels[0].max_width == 1024);
    CHECK(limited.levels.levels[0].max_height == 768);
    CHECK(limited.levels.plain_socket_level.empty());
    CHECK(limited.levels.trusted_socket == "t");
    CHECK(parse_ok("[levels]\nplain_socket = \"default\"\n").levels.plain_socket_level ==
          "default");
    CHECK(parse_ok("level = []\n").levels.levels.at(0).id == "default");
    CHECK(error_text("[levels]\ntrusted_socket = \"./rampart-default\"\n") ==
          system_path + ":2:18: levels.trusted_socket \"./rampart-default\" is the socket of the "
                        "default level");
    CHECK(error_text("[levels]\nplain_socket = \"public\"\n") ==
          system_path + ":2:16: levels.plain_socket \"public\" is not a level (levels: default; "
                        "or \"none\" for no plain socket)");
}

TEST_CASE("Every key of a [[level]] is read", "[config][levels]")
{
    const Config config = parse_ok(example_levels);
    CHECK(config.levels.plain_socket_level == "internal");
    CHECK(config.levels.trusted_socket == "rampart-trusted");
    REQUIRE(config.levels.levels.size() == 3);

    const LevelConfig &lowest = config.levels.levels[0];
    CHECK(lowest.id == "public");
    CHECK(lowest.name == "Public");
    CHECK(lowest.color == Rgb{0x2e, 0x7d, 0x32});
    CHECK(lowest.text_color == Rgb{0xff, 0xff, 0xff});
    CHECK(lowest.glyph == "○");
    CHECK(lowest.pattern == TitlePattern::none);
    CHECK(lowest.socket == "rampart-public");
    CHECK(lowest.socket_owner.empty());
    CHECK(lowest.socket_group.empty());
    CHECK(lowest.socket_mode == 0600);
    CHECK(lowest.max_windows == 64);
    CHECK(lowest.max_width == 8192);
    CHECK(lowest.max_height == 8192);

    const LevelConfig &middle = config.levels.levels[1];
    CHECK(middle.name == "Intern – Internal");
    CHECK(middle.color == Rgb{0x15, 0x65, 0xc0}); // hex digits in either case
    CHECK(middle.text_color == Rgb{0xfa, 0xfa, 0xfa});
    CHECK(middle.glyph == "◐◐");
    CHECK(middle.pattern == TitlePattern::dots);
    CHECK(middle.socket == "/run/rampart/internal.sock");
    CHECK(middle.socket_owner == "rampart-internal");
    CHECK(middle.socket_group == "1001");
    CHECK(middle.socket_mode == 0660);
    CHECK(middle.max_windows == 10);
    CHECK(middle.max_width == 4096);
    CHECK(middle.max_height == 2048);

    const LevelConfig &highest = config.levels.levels[2];
    CHECK(highest.id == "top_secret-2");
    CHECK(highest.glyph == "❤️"); // with its emoji variation selector: two code points
    CHECK(highest.pattern == TitlePattern::checks);
    CHECK(highest.socket_owner == "0");
    CHECK(highest.socket_group == "_rampart");
    CHECK(highest.max_windows == 1000);
    CHECK(highest.max_width == 16384);
    CHECK(highest.max_height == 64);

    for (const auto &[name, pattern] :
         {std::pair("none", TitlePattern::none), std::pair("stripes", TitlePattern::stripes),
          std::pair("dots", TitlePattern::dots), std::pair("checks", TitlePattern::checks)})
        CHECK(parse_ok(level("a", std::string("pattern = \"") + name + "\"\n"))
                  .levels.levels.at(0)
                  .pattern == pattern);
    CHECK(error_text(level("a", "pattern = \"zigzag\"\n")) ==
          system_path + ":8:11: level[0].pattern must be one of none, stripes, dots, checks, not "
                        "\"zigzag\"");
}

TEST_CASE("Levels keep the file's order: it is their rank, lowest first", "[config][levels]")
{
    const Config config = parse_ok(level("zulu") + level("alpha") + level("mike"));
    CHECK(level_ids(config) == std::vector<std::string>{"zulu", "alpha", "mike"});
    CHECK(config.levels.plain_socket_level == "zulu"); // the lowest, not the first by name
    REQUIRE(find_level(config, "alpha"));
    CHECK(find_level(config, "alpha") == &config.levels.levels[1]);
    CHECK(find_level(config, "mike")->socket == "rampart-mike");
    CHECK(find_level(config, "default") == nullptr); // only when no level is configured
    CHECK(find_level(config, "") == nullptr);
    CHECK(find_level(parse_ok(""), "default") != nullptr);
    // Inline tables are the same array.
    const Config inline_levels = parse_ok(
        "level = [{ id = \"b\", name = \"B\", color = \"#000000\", text_color = \"#ffffff\", "
        "glyph = \"B\", socket = \"b\" }, { id = \"a\", name = \"A\", color = \"#000000\", "
        "text_color = \"#ffffff\", glyph = \"A\", socket = \"a\" }]\n");
    CHECK(level_ids(inline_levels) == std::vector<std::string>{"b", "a"});
}

TEST_CASE("plain_socket names a level, or none; the message lists the levels", "[config][levels]")
{
    const std::string levels = level("public") + level("secret");
    CHECK(parse_ok(levels).levels.plain_socket_level == "public");
    CHECK(parse_ok("[levels]\nplain_socket = \"secret\"\n" + levels).levels.plain_socket_level ==
          "secret");
    CHECK(
        parse_ok(levels + "[levels]\nplain_socket = \"none\"\n").levels.plain_socket_level.empty());
    CHECK(error_text("[levels]\nplain_socket = \"Secret\"\n" + levels) ==
          system_path + ":2:16: levels.plain_socket \"Secret\" is not a level (levels: public, "
                        "secret; or \"none\" for no plain socket)");
    CHECK(error_text(levels + "[levels]\nplain_socket = \"\"\n") ==
          system_path + ":16:16: levels.plain_socket \"\" is not a level (levels: public, "
                        "secret; or \"none\" for no plain socket)");
    CHECK(error_text("[levels]\nplain_socket = false\n") ==
          system_path + ":2:16: levels.plain_socket must be a string, not a boolean");
    CHECK(error_text("[levels]\nplain = \"public\"\n") ==
          system_path + ":2:1: unknown key levels.plain (valid keys: plain_socket, "
                        "trusted_socket)");
    // A level whose id was refused is reported alone, not also as an unknown plain_socket.
    CHECK(error_text("[levels]\nplain_socket = \"Public\"\n" + level("Public")) ==
          system_path + ":4:6: level[0].id must be 1 to 32 of a-z, 0-9, _ and -, not "
                        "\"Public\"");
}

TEST_CASE("A [[level]] missing a required key is reported at its table", "[config][levels]")
{
    CHECK(error_text(level("a") + "\n[[level]]\nid = \"b\"\nname = \"B\"\ncolor = \"#000000\"\n"
                                  "text_color = \"#ffffff\"\nglyph = \"B\"\n") ==
          system_path + ":9:1: level[1] is missing the required key socket");
    CHECK(error_text("[[level]]\nsocket = \"x\"\n") ==
          system_path + ":1:1: level[0] is missing the required keys id, name, color, "
                        "text_color, glyph");
    CHECK(error_text("level = [{ id = \"a\" }]\n") ==
          system_path + ":1:10: level[0] is missing the required keys name, color, text_color, "
                        "glyph, socket");
    // A required key that is there but wrong is reported as wrong, not as missing.
    CHECK(error_text(level("a", "[[level]]\nid = \"b\"\nname = \"B\"\ncolor = \"#000000\"\n"
                                "text_color = \"#ffffff\"\nglyph = \"B\"\nsocket = 7\n")) ==
          system_path + ":14:10: level[1].socket must be a string, not an integer");
    CHECK(error_text(level("a", "colour = \"#000000\"\n")) ==
          system_path + ":8:1: unknown key level[0].colour (valid keys: id, name, color, "
                        "text_color, glyph, pattern, socket, socket_owner, socket_group, "
                        "socket_mode, max_windows, max_width, max_height)");
    CHECK(error_text("[level]\nid = \"a\"\n") ==
          system_path + ":1:1: level must be an array of tables, written [[level]], not a table");
    CHECK(error_text("level = [\"a\"]\n") ==
          system_path + ":1:10: level[0] must be a table, not a string");
    CHECK(error_text("levels = [1]\n") ==
          system_path + ":1:10: levels must be a table, not an array");
}

TEST_CASE("Level ids: a-z, 0-9, _ and -, at most 32, unique, not \"none\"", "[config][levels]")
{
    const std::string at = system_path + ":2:6: level[0].id ";
    for (const char *bad : {"", "Public", "top secret", "geheim!", "ü", "a.b", "a/b",
                            "abcdefghijklmnopqrstuvwxyz0123456"}) {
        INFO(bad);
        CHECK(error_text(level(bad)) ==
              at + "must be 1 to 32 of a-z, 0-9, _ and -, not \"" + bad + "\"");
    }
    CHECK(parse_ok(level_with("id", "\"abcdefghijklmnopqrstuvwxyz012345\""))
              .levels.levels.at(0)
              .id.size() == 32);
    CHECK(error_text(level("none")) ==
          at + "\"none\" is reserved: plain_socket = \"none\" turns the plain socket off");
    CHECK(error_text(level_with("id", "1")) ==
          system_path + ":2:6: level[0].id must be a string, not an integer");
    // A repeated id is reported where it is repeated (the name and socket differ here).
    CHECK(error_text(level("a") + level("b") +
                     "[[level]]\nname = \"C\"\ncolor = \"#000000\"\ntext_color = \"#ffffff\"\n"
                     "glyph = \"C\"\nsocket = \"c\"\nid = \"a\"\n") ==
          system_path + ":21:6: level[2].id \"a\" is already used by level[0]");
    CHECK(error_text(level("a") + level("a") + level("a")) ==
          system_path + ":9:6: level[1].id \"a\" is already used by level[0]");
}

TEST_CASE("Level names and glyphs are labels: nothing invisible, nothing too long",
          "[config][levels]")
{
    const auto with_name = [](const std::string &name) {
        return "[[level]]\nname = \"" + name +
               "\"\nid = \"a\"\ncolor = \"#000000\"\n"
               "text_color = \"#ffffff\"\nglyph = \"A\"\nsocket = \"a\"\n";
    };
    const auto with_glyph = [](const std::string &glyph) {
        return "[[level]]\nglyph = \"" + glyph +
               "\"\nid = \"a\"\ncolor = \"#000000\"\n"
               "text_color = \"#ffffff\"\nname = \"A\"\nsocket = \"a\"\n";
    };
    CHECK(parse_ok(with_name("Streng geheim – amtlich geheim ü")).levels.levels[0].name ==
          "Streng geheim – amtlich geheim ü"); // 32 code points, more bytes
    CHECK(parse_ok(with_name(" Secret ")).levels.levels[0].name == " Secret ");
    CHECK(parse_ok(with_glyph("■■■■")).levels.levels[0].glyph == "■■■■");
    CHECK(parse_ok(with_glyph("S")).levels.levels[0].glyph == "S");

    const std::string name_at = system_path + ":2:8: level[0].name ";
    CHECK(error_text(with_name("")) == name_at + "must be 1 to 32 characters, not 0");
    CHECK(error_text(with_name("Streng geheim – amtlich geheim üx")) ==
          name_at + "must be 1 to 32 characters, not 33");
    CHECK(error_text(with_name("   ")) == name_at + "must not be only blank characters");
    CHECK(error_text(with_name("\\u3000\\u00a0")) == name_at + "must not be only blank characters");
    CHECK(error_text(with_name("Public\\u202e")) ==
          name_at + "must not contain control or invisible formatting characters, such as "
                    "U+202E");
    CHECK(error_text(with_name("Se\\u200bcret")) ==
          name_at + "must not contain control or invisible formatting characters, such as "
                    "U+200B");
    CHECK(error_text(with_name("Line\\nbreak")) ==
          name_at + "must not contain control or invisible formatting characters, such as "
                    "U+000A");
    CHECK(error_text(with_name("C1\\u0085")) ==
          name_at + "must not contain control or invisible formatting characters, such as "
                    "U+0085");
    CHECK(error_text(with_name("tag\\U000E0041")) ==
          name_at + "must not contain control or invisible formatting characters, such as "
                    "U+E0041");
    CHECK(error_text(with_name("a\\u0000b")) == name_at + "must not contain a NUL character");

    const std::string glyph_at = system_path + ":2:9: level[0].glyph ";
    CHECK(error_text(with_glyph("")) == glyph_at + "must be 1 to 4 characters, not 0");
    CHECK(error_text(with_glyph("■■■■■")) == glyph_at + "must be 1 to 4 characters, not 5");
    CHECK(error_text(with_glyph(" ")) ==
          glyph_at + "must not contain blank characters, such as U+0020");
    CHECK(error_text(with_glyph("■ ■")) ==
          glyph_at + "must not contain blank characters, such as U+0020");
    CHECK(error_text(with_glyph("\\u2800")) == // braille blank: drawn as nothing
          glyph_at + "must not contain blank characters, such as U+2800");
    CHECK(error_text(with_glyph("\\t")) ==
          glyph_at + "must not contain control or invisible formatting characters, such as "
                     "U+0009");
    CHECK(error_text(with_glyph("\\u2066■")) ==
          glyph_at + "must not contain control or invisible formatting characters, such as "
                     "U+2066");
    CHECK(error_text(with_glyph("\\ufeff")) ==
          glyph_at + "must not contain control or invisible formatting characters, such as "
                     "U+FEFF");
    // Two levels may not share a name: it is what tells them apart besides the colour.
    CHECK(error_text(level("a") +
                     "[[level]]\nid = \"b\"\nname = \"a name\"\ncolor = "
                     "\"#ffffff\"\ntext_color = \"#000000\"\nglyph = \"B\"\nsocket = \"b\"\n") ==
          system_path + ":10:8: level[1].name \"a name\" is already used by level[0]");
}

TEST_CASE("Level colours are written #rrggbb", "[config][levels]")
{
    const auto with_color = [](const std::string &color) {
        return "[[level]]\nid = \"a\"\nname = \"A\"\ncolor = " + color +
               "\ntext_color = \"#ffffff\"\nglyph = \"A\"\nsocket = \"a\"\n";
    };
    CHECK(parse_ok(with_color("\"#000000\"")).levels.levels[0].color == Rgb{0, 0, 0});
    CHECK(parse_ok(with_color("\"#AbCdEf\"")).levels.levels[0].color == Rgb{0xab, 0xcd, 0xef});
    const std::string at = system_path + ":4:9: level[0].color ";
    for (const char *bad : {"", "#fff", "#ffffff00", "ffffff", "#gggggg", "#ff ff ff", "green",
                            " #ffffff", "#-12345", "#+12345", "#０００000"}) {
        INFO(bad);
        CHECK(error_text(with_color(std::string("\"") + bad + "\"")) ==
              at + "must be a colour written \"#rrggbb\", not \"" + bad + "\"");
    }
    CHECK(error_text(with_color("0xffffff")) == at + "must be a string, not an integer");
    CHECK(error_text(level_with("text_color", "\"white\"")) ==
          system_path + ":5:14: level[0].text_color must be a colour written \"#rrggbb\", not "
                        "\"white\"");
}

TEST_CASE("Level sockets are unique after normalising, and not the trusted socket",
          "[config][levels]")
{
    const auto with_socket = [](const std::string &id, const std::string &socket) {
        return "[[level]]\nsocket = \"" + socket + "\"\nid = \"" + id + "\"\nname = \"" + id +
               "\"\ncolor = \"#000000\"\ntext_color = \"#ffffff\"\nglyph = \"A\"\n";
    };
    // Level b's socket is at line 9, column 10.
    const std::pair<const char *, const char *> same[] = {
        {"rampart-a", "./rampart-a"}, {"rampart-a", "x/../rampart-a"}, {"dir/a", "dir//a"},
        {"dir/a", "./dir/./a"},       {"/run/r/a", "/run//r/../r/a"},  {"/a", "/../a"},
        {"/run/r/a", "//run/r/a"},
    };
    for (const auto &[first, second] : same) {
        INFO(first << " and " << second);
        CHECK(error_text(with_socket("a", first) + with_socket("b", second)) ==
              system_path + ":9:10: level[1].socket \"" + second +
                  "\" is the same socket as level[0].socket \"" + first + "\"");
    }
    // Relative and absolute paths differ here: $XDG_RUNTIME_DIR is not known yet.
    CHECK(parse_ok(with_socket("a", "rampart-a") + with_socket("b", "/rampart-a"))
              .levels.levels.size() == 2);
    CHECK(parse_ok(with_socket("a", "dir/a") + with_socket("b", "dir/b")).levels.levels.size() ==
          2);
    CHECK(error_text("[levels]\ntrusted_socket = \"/run/t\"\n" + with_socket("a", "/run/./t")) ==
          system_path + ":4:10: level[0].socket \"/run/./t\" is the same socket as "
                        "levels.trusted_socket");
    CHECK(error_text(with_socket("a", "t") + "[levels]\ntrusted_socket = \"./t\"\n") ==
          system_path + ":2:10: level[0].socket \"t\" is the same socket as "
                        "levels.trusted_socket");
    CHECK(parse_ok("[levels]\ntrusted_socket = \"\"\n" + with_socket("a", "a"))
              .levels.trusted_socket.empty());

    const std::string at = system_path + ":2:10: level[0].socket ";
    CHECK(error_text(with_socket("a", "")) == at + "must not be empty");
    CHECK(error_text(with_socket("a", "../a")) ==
          at + "\"../a\" leaves $XDG_RUNTIME_DIR; write an absolute path instead");
    CHECK(error_text(with_socket("a", "x/../../a")) ==
          at + "\"x/../../a\" leaves $XDG_RUNTIME_DIR; write an absolute path instead");
    for (const char *directory : {"/", ".", "..", "a/", "a/.", "/run/..", "//"}) {
        INFO(directory);
        CHECK(error_text(with_socket("a", directory)) ==
              at + "\"" + directory + "\" names a directory, not a socket file");
    }
    CHECK(error_text(with_socket("a", "a\\u001b[2Jb")) ==
          at + "must not contain control characters");
    CHECK(error_text(with_socket("a", "/" + std::string(107, 'x'))) ==
          at + "is 108 bytes long; a socket path has at most 107");
    CHECK(parse_ok(with_socket("a", "/" + std::string(106, 'x'))).levels.levels.size() == 1);
    CHECK(error_text("[levels]\ntrusted_socket = \"../t\"\n") ==
          system_path + ":2:18: levels.trusted_socket \"../t\" leaves $XDG_RUNTIME_DIR; write an "
                        "absolute path instead");
}

TEST_CASE("resolve_socket_path: absolute stays, relative joins the runtime dir", "[config][levels]")
{
    const std::string runtime = "/run/user/1000";
    CHECK(resolve_socket_path("rampart-public", runtime) == "/run/user/1000/rampart-public");
    CHECK(resolve_socket_path("./a//b/../c", runtime) == "/run/user/1000/a/c");
    CHECK(resolve_socket_path("rampart", "/run/user/1000/") == "/run/user/1000/rampart");
    CHECK(resolve_socket_path("/run/rampart/secret", runtime) == "/run/rampart/secret");
    CHECK(resolve_socket_path("//run/./rampart//x/../secret", runtime) == "/run/rampart/secret");
    CHECK(resolve_socket_path("/../../x", runtime) == "/x");
    CHECK(resolve_socket_path("/x", "") == "/x"); // no runtime dir needed
    // Nothing to resolve against: the glue refuses it, as wayland does.
    CHECK(resolve_socket_path("rampart", "").empty());
    CHECK(resolve_socket_path("rampart", "relative/dir").empty());
    CHECK(resolve_socket_path("", runtime).empty());
    // The parsed config and the resolved paths agree.
    const Config config = parse_ok(example_levels);
    CHECK(resolve_socket_path(config.levels.levels[1].socket, runtime) ==
          "/run/rampart/internal.sock");
    CHECK(resolve_socket_path(config.levels.levels[2].socket, runtime) ==
          "/run/user/1000/levels/secret");
    CHECK(resolve_socket_path(config.levels.trusted_socket, runtime) ==
          "/run/user/1000/rampart-trusted");
}

TEST_CASE("Socket owner, group and mode", "[config][levels]")
{
    const auto mode_of = [](const std::string &mode) {
        return parse_ok(level("a", "socket_mode = \"" + mode + "\"\n"))
            .levels.levels[0]
            .socket_mode;
    };
    CHECK(mode_of("0600") == 0600);
    CHECK(mode_of("600") == 0600);
    CHECK(mode_of("0660") == 0660);
    CHECK(mode_of("0770") == 0770);
    CHECK(mode_of("0200") == 0200);

    const std::string at = system_path + ":8:15: level[0].socket_mode ";
    for (const char *world : {"0666", "0601", "0602", "0604", "0777", "007"}) {
        INFO(world);
        CHECK(error_text(level("a", std::string("socket_mode = \"") + world + "\"\n")) ==
              at + "\"" + world + "\" must not give other users access: its last digit must be 0");
    }
    for (const char *bad : {"", "0", "60", "0o600", "rw-------", "0680", "00600", "1600", "4770",
                            " 600", "-600", "+600"}) {
        INFO(bad);
        CHECK(error_text(level("a", std::string("socket_mode = \"") + bad + "\"\n")) ==
              at +
                  "must be three octal digits with an optional leading 0, such as \"0660\", "
                  "not \"" +
                  bad + "\"");
    }
    CHECK(error_text(level("a", "socket_mode = \"0500\"\n")) ==
          at + "\"0500\" lets no one connect: connecting needs write permission");
    // An integer is refused even in octal, so that a decimal 600 is never taken for 0600.
    CHECK(error_text(level("a", "socket_mode = 600\n")) ==
          at + "must be an octal string such as \"0600\", not an integer");
    CHECK(error_text(level("a", "socket_mode = 0o600\n")) ==
          at + "must be an octal string such as \"0600\", not an integer");

    const auto owner_of = [](const std::string &owner) {
        return parse_ok(level("a", "socket_owner = \"" + owner + "\"\n"))
            .levels.levels[0]
            .socket_owner;
    };
    for (const char *good : {"", "alice", "_apt", "rampart-secret", "u2", "0", "1000", "4294967294",
                             "a2345678901234567890123456789012"})
        CHECK(owner_of(good) == good);
    for (const char *bad : {"Alice", "2fa", "-x", "al ice", "al:ice", "4294967295", "99999999999",
                            "a23456789012345678901234567890123", "ålice", "root\\u0000"}) {
        INFO(bad);
        const std::string problem =
            std::string(bad) == "root\\u0000"
                ? "must not contain a NUL character"
                : "must be a user name or a numeric uid, not \"" + std::string(bad) + "\"";
        CHECK(error_text(level("a", std::string("socket_owner = \"") + bad + "\"\n")) ==
              system_path + ":8:16: level[0].socket_owner " + problem);
    }
    CHECK(parse_ok(level("a", "socket_group = \"video\"\n")).levels.levels[0].socket_group ==
          "video");
    CHECK(error_text(level("a", "socket_group = \"Domain Users\"\n")) ==
          system_path + ":8:16: level[0].socket_group must be a group name or a numeric gid, not "
                        "\"Domain Users\"");
    CHECK(error_text(level("a", "socket_group = 100\n")) ==
          system_path + ":8:16: level[0].socket_group must be a string, not an integer");
}

TEST_CASE("Level limits: max_windows, and sizes within [window] wherever it is", "[config][levels]")
{
    CHECK(error_text(level("a", "max_windows = 0\n")) ==
          system_path + ":8:15: level[0].max_windows must be between 1 and 1000, not 0");
    CHECK(error_text(level("a", "max_windows = 1001\n")) ==
          system_path + ":8:15: level[0].max_windows must be between 1 and 1000, not 1001");
    CHECK(error_text(level("a", "max_width = 63\n")) ==
          system_path + ":8:13: level[0].max_width must be between 64 and 16384 "
                        "(window.max_width), not 63");
    CHECK(error_text(level("a", "max_height = 99999999999\n")) ==
          system_path + ":8:14: level[0].max_height must be between 64 and 16384 "
                        "(window.max_height), not 99999999999");
    CHECK(error_text(level("a", "max_width = 4096.0\n")) ==
          system_path + ":8:13: level[0].max_width must be an integer, not a floating-point "
                        "number");
    // [window] after [[level]] still bounds it.
    CHECK(error_text(level("a", "max_width = 4096\n") + "[window]\nmax_width = 2048\n") ==
          system_path + ":8:13: level[0].max_width must be between 64 and 2048 "
                        "(window.max_width), not 4096");
    CHECK(error_text("[window]\nmax_height = 1000\n" + level("a", "max_height = 1001\n")) ==
          system_path + ":10:14: level[0].max_height must be between 64 and 1000 "
                        "(window.max_height), not 1001");
    const Config config = parse_ok(level("a", "max_width = 2048\nmax_height = 64\n") + level("b") +
                                   "[window]\nmax_width = 2048\n");
    CHECK(config.levels.levels[0].max_width == 2048);
    CHECK(config.levels.levels[0].max_height == 64);
    // Unset, a level gets 8192, or the [window] limit when that is smaller.
    CHECK(config.levels.levels[1].max_width == 2048);
    CHECK(config.levels.levels[1].max_height == 8192);
}

TEST_CASE("The user file may not set [levels] or [[level]]", "[config][levels]")
{
    CHECK(error_text(level("a"), "[keyboard]\nlayout = \"de\"\n\n" + level("b")) ==
          user_path + ":4:3: [[level]] may only be set in the system config");
    CHECK(error_text("", "[levels]\nplain_socket = \"none\"\n") ==
          user_path + ":1:2: [levels] may only be set in the system config");
    CHECK(error_text("", "levels.trusted_socket = \"x\"\n") ==
          user_path + ":1:1: [levels] may only be set in the system config");
    CHECK(error_text("", "level = []\n") ==
          user_path + ":1:1: [[level]] may only be set in the system config");
    CHECK(error_text("", "[levle]\n") ==
          user_path + ":1:2: unknown table [levle] (valid tables: keyboard, pointer, cursor, "
                      "output, bindings, panel, lock)");
    CHECK(error_text("[[levle]]\n") ==
          system_path + ":1:3: unknown table [[levle]] (valid tables: general, keyboard, pointer, "
                        "cursor, window, levels, level, output, bindings, panel, lock, storage, volume)");
    // The system file's levels stand when the user file is fine.
    CHECK(level_ids(parse_ok(level("a"), "[cursor]\nsize = 32\n")) ==
          std::vector<std::string>{"a"});
}

TEST_CASE("The first error in the file is reported, across and within levels", "[config][levels]")
{
    // toml++ iterates keys alphabetically; the reader reports in file order.
    CHECK(error_text(level("a", "socket_mode = \"0666\"\nmax_windows = 0\n")) ==
          system_path + ":8:15: level[0].socket_mode \"0666\" must not give other users access: "
                        "its last digit must be 0");
    CHECK(error_text(level("b", "max_width = 1\n") + "[levels]\nplain_socket = \"x\"\n") ==
          system_path + ":8:13: level[0].max_width must be between 64 and 16384 "
                        "(window.max_width), not 1");
    CHECK(error_text("[levels]\nplain_socket = \"x\"\n" + level("b", "max_width = 1\n")) ==
          system_path + ":2:16: levels.plain_socket \"x\" is not a level (levels: b; or \"none\" "
                        "for no plain socket)");
    // A later level's error comes after an earlier level's, and after [general]'s.
    CHECK(error_text("[general]\nterminal = \"\"\n" + level("a", "glyph2 = 1\n")) ==
          system_path + ":2:12: general.terminal must not be empty");
    CHECK(error_text(level("a", "pattern = 1\n") + level("b", "glyph2 = 1\n")) ==
          system_path + ":8:11: level[0].pattern must be a string, not an integer");
    // The system file's level errors come before any in the user file.
    CHECK(error_text(level("a", "max_windows = 0\n"), "[cursor]\nsize = 1\n") ==
          system_path + ":8:15: level[0].max_windows must be between 1 and 1000, not 0");
}

TEST_CASE("Hostile input: thousands of [[level]] tables are refused quickly", "[config][levels]")
{
    const auto started = std::chrono::steady_clock::now();
    std::string many;
    for (int i = 0; i < 10000; ++i) {
        const std::string n = std::to_string(i);
        many += "[[level]]\nid=\"l" + n + "\"\nname=\"L" + n +
                "\"\ncolor=\"#000000\"\n"
                "text_color=\"#ffffff\"\nglyph=\"G\"\nsocket=\"s" +
                n + "\"\n";
    }
    REQUIRE(many.size() < 1024 * 1024);
    CHECK(error_text(many) ==
          system_path + ":225:1: level[32] is one too many: at most 32 levels may be configured");
    // Empty tables fill a whole MiB: still one clean error, no flood of missing keys.
    std::string empty_tables;
    while (empty_tables.size() + 10 < 1024 * 1024)
        empty_tables += "[[level]]\n";
    CHECK(error_text(empty_tables) ==
          system_path + ":1:1: level[0] is missing the required keys id, name, color, "
                        "text_color, glyph, socket");
    std::string inline_tables = "level = [";
    for (int i = 0; i < 50000; ++i)
        inline_tables += "{},";
    CHECK(error_text(inline_tables + "]\n") ==
          system_path + ":1:10: level[0] is missing the required keys id, name, color, "
                        "text_color, glyph, socket");
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(seconds < 20.0); // generous for sanitizer builds; about a second without them

    // Exactly the limit is fine.
    std::string limit;
    for (int i = 0; i < 32; ++i)
        limit += level("l" + std::to_string(i));
    CHECK(parse_ok(limit).levels.levels.size() == 32);
}

TEST_CASE("Hostile input: huge and strange level values", "[config][levels]")
{
    const std::string huge(500000, 'x');
    const std::string huge_string = "\"" + huge + "\"";
    const std::string cut = "\"" + std::string(64, 'x') + "...\""; // as messages quote it
    CHECK(error_text(level_with("glyph", huge_string)) ==
          system_path + ":6:9: level[0].glyph must be 1 to 4 characters, not 500000");
    CHECK(error_text(level_with("name", huge_string)) ==
          system_path + ":3:8: level[0].name must be 1 to 32 characters, not 500000");
    CHECK(error_text(level_with("id", huge_string)) ==
          system_path + ":2:6: level[0].id must be 1 to 32 of a-z, 0-9, _ and -, not " + cut);
    CHECK(error_text(level_with("socket", huge_string)) ==
          system_path + ":7:10: level[0].socket is 500000 bytes long; a socket path has at most "
                        "107");
    CHECK(error_text(level_with("color", huge_string)) ==
          system_path + ":4:9: level[0].color must be a colour written \"#rrggbb\", not " + cut);
    CHECK(error_text(level_with("socket_owner", huge_string)) ==
          system_path + ":8:16: level[0].socket_owner must be a user name or a numeric uid, not " +
              cut);
    CHECK(error_text(level_with("socket_mode", huge_string)) ==
          system_path +
              ":8:15: level[0].socket_mode must be three octal digits with an optional "
              "leading 0, such as \"0660\", not " +
              cut);
    CHECK(error_text(level_with("max_width", "-9223372036854775808")) ==
          system_path + ":8:13: level[0].max_width must be between 64 and 16384 "
                        "(window.max_width), not -9223372036854775808");
    CHECK(error_text(level_with("max_windows", "9223372036854775807")) ==
          system_path + ":8:15: level[0].max_windows must be between 1 and 1000, not "
                        "9223372036854775807");
    CHECK(error_text(level_with("socket_group", "\"00000000000000000001\"")) ==
          system_path + ":8:16: level[0].socket_group must be a group name or a numeric gid, not "
                        "\"00000000000000000001\"");
    // Invalid UTF-8 never reaches the level reader: toml++ refuses the file first.
    CHECK_THAT(error_text(level_with("name", "\"\xc0\xaf\"")),
               Catch::StartsWith(system_path + ":3:") && Catch::Contains("utf-8"));
}

TEST_CASE("Hostile input: random damage to levels never escapes as an exception",
          "[config][levels]")
{
    check_random_damage(example_levels, 4321, 2000, "[]{}\"'.=#\n\\/",
                        [](const LoadResult &result) {
                            if (result.config)
                                CHECK_FALSE(result.config->levels.levels.empty());
                        });
}
