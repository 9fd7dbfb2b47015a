// Unit tests for compositor/config: TOML text -> Config, and the errors for bad text.
#include "support/scoped_env.hpp"
#include "config/config.hpp"
#include "config_test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

using namespace rampart::config;
using namespace rampart::config::test;

using rampart::test::ScopedEnv;

namespace {

// "Super+Shift+q=close" style, so that lists of bindings compare and print readably.
std::string describe(const Binding &binding)
{
    std::string text;
    const std::pair<uint32_t, const char *> names[] = {
        {super, "Super+"}, {ctrl, "Ctrl+"}, {alt, "Alt+"},  {shift, "Shift+"},
        {mod2, "Mod2+"},   {mod3, "Mod3+"}, {mod5, "Mod5+"}};
    for (const auto &[bit, name] : names)
        text += (binding.modifiers & bit) ? name : "";
    text += binding.key + "=" + std::string(action_name(binding.action));
    return binding.argument.empty() ? text : text + " " + binding.argument;
}

std::vector<std::string> describe(const std::vector<Binding> &bindings)
{
    std::vector<std::string> texts;
    for (const Binding &binding : bindings)
        texts.push_back(describe(binding));
    return texts;
}

const std::vector<std::string> default_binding_texts = {
    "Super+Return=spawn foot",     "Super+Shift+q=close",     "Alt+Tab=focus-next",
    "Alt+Shift+Tab=focus-prev",    "Super+m=maximize",        "Super+f=fullscreen",
    "Super+o=send-to-output next", "Super+space=next-layout", "Super+l=lock",
    "Super+Shift+r=reload",        "Super+Shift+e=exit",
};

const char *example_config = R"(
[general]
log_level = "debug"
terminal = "alacritty"

[keyboard]
rules = "evdev"
model = "pc105"
layout = "us,de"
variant = ",nodeadkeys"
options = "grp:alt_shift_toggle"
repeat_rate = 30
repeat_delay = 250

[pointer]
acceleration = -0.5
natural_scroll = true
tap_to_click = false

[cursor]
theme = "Adwaita"
size = 32

[window]
max_width = 8192
max_height = 4096
border = 3
title_height = 30
typing_grace_ms = 500

[[output]]
name = "HEADLESS-1"
enabled = false
mode = "1920x1080@59.94"
scale = 2
position = [-1920, 0]
transform = "flipped-90"

[[output]]
name = "*"

[bindings]
"Super+Return" = "spawn foot --server"
"Super+o" = "send-to-output prev"
"Super+t" = "spawn alacritty"
)";

// A fresh directory under /tmp, removed (with the files the test made) at the end.
class TempDir {
public:
    TempDir()
    {
        char name[] = "/tmp/rampart-config-test-XXXXXX";
        REQUIRE(mkdtemp(name));
        path = name;
    }
    ~TempDir()
    {
        for (const std::string &file : files) {
            chmod(file.c_str(), 0700);
            if (rmdir(file.c_str()) != 0)
                unlink(file.c_str());
        }
        rmdir(path.c_str());
    }
    std::string write(const std::string &name, const std::string &text)
    {
        const std::string file = path + "/" + name;
        std::ofstream(file, std::ios::binary) << text;
        files.push_back(file);
        return file;
    }
    std::string path;
    std::vector<std::string> files;
};

} // namespace

TEST_CASE("An empty config is all defaults", "[config]")
{
    const Config config = parse_ok("", "");
    CHECK(config.log_level == LogLevel::info);
    CHECK(config.terminal == "foot");
    CHECK(config.keyboard.layout == "us");
    CHECK(config.keyboard.rules.empty());
    CHECK(config.keyboard.options.empty());
    CHECK(config.keyboard.repeat_rate == 25);
    CHECK(config.keyboard.repeat_delay == 600);
    CHECK(config.pointer.acceleration == 0.0);
    CHECK_FALSE(config.pointer.natural_scroll);
    CHECK(config.pointer.tap_to_click);
    CHECK(config.cursor.theme.empty());
    CHECK(config.cursor.size == 24);
    CHECK(config.window.max_width == 16384);
    CHECK(config.window.max_height == 16384);
    CHECK(config.window.border == 2);
    CHECK(config.window.title_height == 24);
    CHECK(config.window.typing_grace_ms == 1000);
    CHECK(config.outputs.empty());
    CHECK(describe(config.bindings) == default_binding_texts);
    CHECK(describe(default_bindings("foot")) == default_binding_texts);
}

TEST_CASE("Comments, whitespace and empty tables are a valid config", "[config]")
{
    const Config config =
        parse_ok("# nothing\n\n[keyboard]\n[pointer] # still nothing\n", "\n\n[bindings]\n");
    CHECK(config.keyboard.repeat_rate == 25);
    CHECK(describe(config.bindings) == default_binding_texts);
}

TEST_CASE("Every key of the schema is read", "[config]")
{
    const Config config = parse_ok(example_config);
    CHECK(config.log_level == LogLevel::debug);
    CHECK(config.terminal == "alacritty");
    CHECK(config.keyboard.rules == "evdev");
    CHECK(config.keyboard.model == "pc105");
    CHECK(config.keyboard.layout == "us,de");
    CHECK(config.keyboard.variant == ",nodeadkeys");
    CHECK(config.keyboard.options == "grp:alt_shift_toggle");
    CHECK(config.keyboard.repeat_rate == 30);
    CHECK(config.keyboard.repeat_delay == 250);
    CHECK(config.pointer.acceleration == -0.5);
    CHECK(config.pointer.natural_scroll);
    CHECK_FALSE(config.pointer.tap_to_click);
    CHECK(config.cursor.theme == "Adwaita");
    CHECK(config.cursor.size == 32);
    CHECK(config.window.max_width == 8192);
    CHECK(config.window.max_height == 4096);
    CHECK(config.window.border == 3);
    CHECK(config.window.title_height == 30);
    CHECK(config.window.typing_grace_ms == 500);

    REQUIRE(config.outputs.size() == 2);
    const OutputConfig &headless = config.outputs[0];
    CHECK(headless.name == "HEADLESS-1");
    CHECK_FALSE(headless.enabled);
    CHECK(headless.width == 1920);
    CHECK(headless.height == 1080);
    CHECK(headless.refresh_mhz == 59940);
    CHECK(headless.scale == 2);
    CHECK(headless.x == -1920);
    CHECK(headless.y == 0);
    CHECK(headless.transform == Transform::flipped90);
    const OutputConfig &any = config.outputs[1];
    CHECK(any.name == "*");
    CHECK(any.enabled);
    CHECK_FALSE(any.width);
    CHECK_FALSE(any.height);
    CHECK_FALSE(any.refresh_mhz);
    CHECK(any.scale == 1);
    CHECK_FALSE(any.x);
    CHECK_FALSE(any.y);
    CHECK(any.transform == Transform::normal);

    // The defaults spawn the configured terminal, then the file's bindings apply on top.
    std::vector<std::string> expected = default_binding_texts;
    expected[0] = "Super+Return=spawn foot --server";
    expected[6] = "Super+o=send-to-output prev";
    expected.push_back("Super+t=spawn alacritty");
    CHECK(describe(config.bindings) == expected);
}

TEST_CASE("The default Super+Return spawns the configured terminal", "[config]")
{
    const Config config = parse_ok("[general]\nterminal = \"kitty --single-instance\"\n");
    REQUIRE_FALSE(config.bindings.empty());
    CHECK(describe(config.bindings[0]) == "Super+Return=spawn kitty --single-instance");
    CHECK(describe(default_bindings("xterm"))[0] == "Super+Return=spawn xterm");
    CHECK(error_text("[general]\nterminal = \"\"\n") ==
          system_path + ":2:12: general.terminal must not be empty");
}

TEST_CASE("Log levels", "[config]")
{
    CHECK(parse_ok("[general]\nlog_level = \"error\"").log_level == LogLevel::error);
    CHECK(parse_ok("[general]\nlog_level = \"warning\"").log_level == LogLevel::warning);
    CHECK(parse_ok("[general]\nlog_level = \"info\"").log_level == LogLevel::info);
    CHECK(parse_ok("[general]\nlog_level = \"debug\"").log_level == LogLevel::debug);
    CHECK(error_text("[general]\nlog_level = \"verbose\"") ==
          system_path + ":2:13: general.log_level must be one of error, warning, info, debug, "
                        "not \"verbose\"");
}

TEST_CASE("Error::to_string is path:line:col: message", "[config]")
{
    CHECK(Error{"/etc/rampart/rampart.toml", 7, 14, "boom"}.to_string() ==
          "/etc/rampart/rampart.toml:7:14: boom");
    // Without a position (an unreadable file, say) there is nothing to point at.
    CHECK(Error{"/x.toml", 0, 0, "cannot read"}.to_string() == "/x.toml: cannot read");
}

TEST_CASE("A syntax error reports the parser's position", "[config]")
{
    CHECK_THAT(error_text("[keyboard\nrepeat_rate = 5\n"),
               Catch::StartsWith(system_path + ":1:10: ") && Catch::Contains("table header"));
    CHECK_THAT(error_text("", "[keyboard]\nrepeat_rate = \n"),
               Catch::StartsWith(user_path + ":2:15: "));
    CHECK_THAT(error_text("[keyboard]\nrepeat_rate = 1\nrepeat_rate = 2\n"),
               Catch::StartsWith(system_path + ":3:"));
    CHECK_THAT(error_text("[bindings]\nSuper+Return = \"close\"\n"),
               Catch::StartsWith(system_path + ":2:"));
}

TEST_CASE("A value out of range names the key, the range and the value", "[config]")
{
    CHECK(error_text("[keyboard]\nrepeat_rate = 500\n") ==
          system_path + ":2:15: keyboard.repeat_rate must be between 0 and 100, not 500");
    CHECK(error_text("[keyboard]\n  repeat_delay = 99\n") ==
          system_path + ":2:18: keyboard.repeat_delay must be between 100 and 5000, not 99");
    CHECK(error_text("", "[cursor]\nsize = 7\n") ==
          user_path + ":2:8: cursor.size must be between 8 and 256, not 7");
    CHECK(error_text("[window]\nborder = 33\n") ==
          system_path + ":2:10: window.border must be between 1 and 32, not 33");
    CHECK(error_text("[window]\ntitle_height = 15\n") ==
          system_path + ":2:16: window.title_height must be between 16 and 64, not 15");
    CHECK(error_text("[window]\nmax_width = 63\n") ==
          system_path + ":2:13: window.max_width must be between 64 and 16384, not 63");
    CHECK(error_text("[window]\nmax_height = 16385\n") ==
          system_path + ":2:14: window.max_height must be between 64 and 16384, not 16385");
    CHECK(error_text("[window]\ntyping_grace_ms = 10001\n") ==
          system_path + ":2:19: window.typing_grace_ms must be between 0 and 10000, not 10001");
    CHECK(error_text("[pointer]\nacceleration = 1.5\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not 1.5");
    CHECK(error_text("[pointer]\nacceleration = -2\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not -2.0");
    CHECK(error_text("[pointer]\nacceleration = nan\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not nan");
    // The limits themselves are allowed.
    const Config config =
        parse_ok("[keyboard]\nrepeat_rate = 0\nrepeat_delay = 5000\n[pointer]\nacceleration = -1\n"
                 "[cursor]\nsize = 256\n[window]\ntyping_grace_ms = 0\n");
    CHECK(config.keyboard.repeat_rate == 0);
    CHECK(config.keyboard.repeat_delay == 5000);
    CHECK(config.pointer.acceleration == -1.0);
    CHECK(config.cursor.size == 256);
    CHECK(config.window.typing_grace_ms == 0);
}

TEST_CASE("A value of the wrong type names the type wanted and the type given", "[config]")
{
    CHECK(error_text("[keyboard]\nrepeat_rate = \"fast\"\n") ==
          system_path + ":2:15: keyboard.repeat_rate must be an integer, not a string");
    CHECK(error_text("[keyboard]\nrepeat_rate = 25.0\n") ==
          system_path + ":2:15: keyboard.repeat_rate must be an integer, not a floating-point "
                        "number");
    CHECK(error_text("[keyboard]\nlayout = 1\n") ==
          system_path + ":2:10: keyboard.layout must be a string, not an integer");
    CHECK(error_text("[pointer]\nnatural_scroll = \"yes\"\n") ==
          system_path + ":2:18: pointer.natural_scroll must be true or false, not a string");
    CHECK(error_text("[pointer]\nacceleration = true\n") ==
          system_path + ":2:16: pointer.acceleration must be a number, not a boolean");
    CHECK(error_text("[cursor]\ntheme = [\"Adwaita\"]\n") ==
          system_path + ":2:9: cursor.theme must be a string, not an array");
    CHECK(error_text("[cursor]\ntheme = 1979-05-27\n") ==
          system_path + ":2:9: cursor.theme must be a string, not a date or time");
    CHECK(error_text("keyboard = 5\n") ==
          system_path + ":1:12: keyboard must be a table, not an integer");
    CHECK(error_text("[output]\nname = \"DP-1\"\n") ==
          system_path + ":1:1: output must be an array of tables, written [[output]], not a "
                        "table");
    CHECK(error_text("output = [1]\n") ==
          system_path + ":1:11: output[0] must be a table, not an integer");
}

TEST_CASE("An unknown key or table is an error, not a silent default", "[config]")
{
    CHECK(error_text("[keyboard]\nrepeat_rat = 5\n") ==
          system_path + ":2:1: unknown key keyboard.repeat_rat (valid keys: rules, model, "
                        "layout, variant, options, repeat_rate, repeat_delay)");
    CHECK(error_text("\n[keybaord]\nrepeat_rate = 5\n") ==
          system_path + ":2:2: unknown table [keybaord] (valid tables: general, keyboard, "
                        "pointer, cursor, window, levels, level, output, bindings, panel, lock, storage, volume)");
    CHECK(error_text("repeat_rate = 5\n") ==
          system_path + ":1:1: unknown key repeat_rate (valid tables: general, keyboard, "
                        "pointer, cursor, window, levels, level, output, bindings, panel, lock, storage, volume)");
    CHECK(error_text("", "[cursor]\nsize = 24\n[curosr]\n") ==
          user_path + ":3:2: unknown table [curosr] (valid tables: keyboard, pointer, cursor, "
                      "output, bindings, panel, lock)");
    CHECK(error_text("[[output]]\nname = \"DP-1\"\nrotation = \"90\"\n") ==
          system_path + ":3:1: unknown key output[0].rotation (valid keys: name, enabled, mode, "
                        "scale, position, transform)");
    CHECK(error_text("[pointer]\nacceleration.x = 1\n") ==
          system_path + ":2:1: pointer.acceleration must be a number, not a table");
    // Odd key names are quoted, with control characters escaped.
    CHECK(error_text("[cursor]\n\"si ze\\u0001\" = 24\n") ==
          system_path + ":2:1: unknown key cursor.\"si ze\\x01\" (valid keys: theme, size)");
}

TEST_CASE("The user file may not set [general] or [window]", "[config]")
{
    CHECK(error_text("[window]\nborder = 4\n", "[keyboard]\nlayout = \"de\"\n\n[window]\n"
                                               "border = 4\n") ==
          user_path + ":4:2: [window] may only be set in the system config");
    CHECK(error_text("", "[general]\nterminal = \"xterm\"\n") ==
          user_path + ":1:2: [general] may only be set in the system config");
    CHECK(error_text("", "window.border = 4\n") ==
          user_path + ":1:1: [window] may only be set in the system config");
}

TEST_CASE("The first error in the file is reported, whatever the key order", "[config]")
{
    // toml++ iterates keys alphabetically: [keyboard] would be checked before [pointer].
    CHECK(error_text("[pointer]\nacceleration = 5\n[keyboard]\nrepeat_rate = 500\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not 5.0");
    CHECK(error_text("[keyboard]\nrepeat_rate = 500\nlayout = 1\n") ==
          system_path + ":2:15: keyboard.repeat_rate must be between 0 and 100, not 500");
    // The system file is reported before the user file.
    CHECK(error_text("[cursor]\nsize = 1\n", "[cursor]\nsize = 2\n") ==
          system_path + ":2:8: cursor.size must be between 8 and 256, not 1");
}

TEST_CASE("User values override system values key by key", "[config]")
{
    const Config config =
        parse_ok("[keyboard]\nlayout = \"de\"\nrepeat_rate = 30\n[pointer]\nnatural_scroll = true\n"
                 "[cursor]\ntheme = \"Adwaita\"\nsize = 32\n",
                 "[keyboard]\nrepeat_rate = 40\n[cursor]\nsize = 48\n");
    CHECK(config.keyboard.layout == "de");
    CHECK(config.keyboard.repeat_rate == 40);
    CHECK(config.pointer.natural_scroll);
    CHECK(config.cursor.theme == "Adwaita");
    CHECK(config.cursor.size == 48);
}

TEST_CASE("User outputs replace system outputs of the same name and add others", "[config]")
{
    const Config config =
        parse_ok("[[output]]\nname = \"HEADLESS-1\"\nscale = 2\nmode = \"800x600\"\n"
                 "[[output]]\nname = \"DP-1\"\ntransform = \"90\"\n",
                 "[[output]]\nname = \"HDMI-A-1\"\n"
                 "[[output]]\nname = \"HEADLESS-1\"\nposition = [10, 20]\n");
    REQUIRE(config.outputs.size() == 3);
    CHECK(config.outputs[0].name == "HEADLESS-1");
    CHECK(config.outputs[0].scale == 1); // the whole entry is replaced
    CHECK_FALSE(config.outputs[0].width);
    CHECK(config.outputs[0].x == 10);
    CHECK(config.outputs[0].y == 20);
    CHECK(config.outputs[1].name == "DP-1");
    CHECK(config.outputs[1].transform == Transform::rot90);
    CHECK(config.outputs[2].name == "HDMI-A-1");
}

TEST_CASE("Output names are required and unique within a file", "[config]")
{
    CHECK(error_text("[[output]]\nname = \"DP-1\"\n\n[[output]]\nscale = 2\nname = \"DP-1\"\n") ==
          system_path + ":6:8: output[1].name \"DP-1\" is already used by output[0]");
    CHECK(error_text("", "[[output]]\nname = \"*\"\n[[output]]\nname = \"*\"\n") ==
          user_path + ":4:8: output[1].name \"*\" is already used by output[0]");
    CHECK(error_text("[[output]]\nname = \"DP-1\"\n[[output]]\nmode = \"800x600\"\n") ==
          system_path + ":3:1: output[1] needs a name, such as name = \"DP-1\"");
    CHECK(error_text("[[output]]\nname = \"\"\n") ==
          system_path + ":2:8: output[0].name must not be empty");
    CHECK(error_text("output = [{ name = \"DP-1\" }, { name = \"DP-1\" }]\n") ==
          system_path + ":1:39: output[1].name \"DP-1\" is already used by output[0]");
    // The same name in both files is the override rule, not an error.
    CHECK(
        parse_ok("[[output]]\nname = \"DP-1\"\n", "[[output]]\nname = \"DP-1\"\n").outputs.size() ==
        1);
}

TEST_CASE("find_output prefers the exact name, then \"*\"", "[config]")
{
    const Config config =
        parse_ok("[[output]]\nname = \"*\"\nscale = 2\n[[output]]\nname = \"DP-1\"\nscale = 3\n");
    REQUIRE(find_output(config, "DP-1"));
    CHECK(find_output(config, "DP-1")->scale == 3);
    REQUIRE(find_output(config, "HDMI-A-1"));
    CHECK(find_output(config, "HDMI-A-1")->name == "*");
    CHECK(find_output(parse_ok("[[output]]\nname = \"DP-1\"\n"), "DP-2") == nullptr);
    CHECK(find_output(parse_ok(""), "DP-1") == nullptr);
}

TEST_CASE("Output modes: WIDTHxHEIGHT with an optional refresh rate", "[config]")
{
    struct Good {
        const char *mode;
        int width, height;
        std::optional<int> refresh_mhz;
    };
    for (const Good &good :
         {Good{"1920x1080", 1920, 1080, std::nullopt}, Good{"1920x1080@60", 1920, 1080, 60000},
          Good{"1920x1080@59.94", 1920, 1080, 59940}, Good{"1920x1080@59.9", 1920, 1080, 59900},
          Good{"2560x1440@143.856", 2560, 1440, 143856}, Good{"1x1@1", 1, 1, 1000},
          Good{"16384x16384@1000", 16384, 16384, 1000000}}) {
        INFO(good.mode);
        const Config config =
            parse_ok(std::string("[[output]]\nname = \"A\"\nmode = \"") + good.mode + "\"\n");
        REQUIRE(config.outputs.size() == 1);
        CHECK(config.outputs[0].width == good.width);
        CHECK(config.outputs[0].height == good.height);
        CHECK(config.outputs[0].refresh_mhz == good.refresh_mhz);
    }
    const std::string prefix = "[[output]]\nname = \"A\"\nmode = ";
    const std::string at = system_path + ":3:8: output[0].mode ";
    for (const char *bad :
         {"", "1920", "1920x", "x1080", "1920X1080", " 1920x1080", "1920x1080 ", "1920x1080@",
          "1920x1080@60.", "1920x1080@.5", "1920x1080@59.9401", "1920x1080@60Hz", "+1920x1080",
          "-1920x1080", "1920x-1080", "1920.5x1080", "99999999999999999999x1", "1920x1080@60@60",
          "1920×1080"}) {
        INFO(bad);
        CHECK(error_text(prefix + "\"" + bad + "\"\n") ==
              at + "must look like \"1920x1080\", \"1920x1080@60\" or \"1920x1080@59.94\", not \"" +
                  bad + "\"");
    }
    CHECK(error_text(prefix + "\"0x1080\"") ==
          at + "width and height must be between 1 and 16384, not \"0x1080\"");
    CHECK(error_text(prefix + "\"1920x16385\"") ==
          at + "width and height must be between 1 and 16384, not \"1920x16385\"");
    CHECK(error_text(prefix + "\"1920x1080@0\"") ==
          at + "refresh rate must be between 1 and 1000 Hz, not \"1920x1080@0\"");
    CHECK(error_text(prefix + "\"1920x1080@1000.001\"") ==
          at + "refresh rate must be between 1 and 1000 Hz, not \"1920x1080@1000.001\"");
    CHECK(error_text(prefix + "1920") == at + "must be a string, not an integer");
}

TEST_CASE("Output transforms", "[config]")
{
    const std::pair<const char *, Transform> transforms[] = {
        {"normal", Transform::normal},
        {"90", Transform::rot90},
        {"180", Transform::rot180},
        {"270", Transform::rot270},
        {"flipped", Transform::flipped},
        {"flipped-90", Transform::flipped90},
        {"flipped-180", Transform::flipped180},
        {"flipped-270", Transform::flipped270}};
    for (const auto &[name, transform] : transforms) {
        INFO(name);
        const Config config =
            parse_ok(std::string("[[output]]\nname = \"A\"\ntransform = \"") + name + "\"\n");
        CHECK(config.outputs.at(0).transform == transform);
    }
    // The numbering is wl_output_transform's.
    CHECK(static_cast<int>(Transform::rot270) == 3);
    CHECK(static_cast<int>(Transform::flipped270) == 7);
    CHECK(error_text("[[output]]\nname = \"A\"\ntransform = \"rot90\"\n") ==
          system_path + ":3:13: output[0].transform must be one of normal, 90, 180, 270, "
                        "flipped, flipped-90, flipped-180, flipped-270, not \"rot90\"");
    CHECK(error_text("[[output]]\nname = \"A\"\ntransform = 90\n") ==
          system_path + ":3:13: output[0].transform must be a string, not an integer");
}

TEST_CASE("Output scale, position and enabled", "[config]")
{
    const Config config = parse_ok(
        "[[output]]\nname = \"A\"\nscale = 4\nposition = [-32768, 32767]\nenabled = false\n");
    CHECK(config.outputs.at(0).scale == 4);
    CHECK(config.outputs.at(0).x == -32768);
    CHECK(config.outputs.at(0).y == 32767);
    CHECK_FALSE(config.outputs.at(0).enabled);

    const std::string prefix = "[[output]]\nname = \"A\"\n";
    CHECK(error_text(prefix + "scale = 1.5\n") ==
          system_path + ":3:9: output[0].scale must be an integer, not a floating-point number");
    CHECK(error_text(prefix + "scale = 0\n") ==
          system_path + ":3:9: output[0].scale must be between 1 and 4, not 0");
    CHECK(error_text(prefix + "position = [0]\n") ==
          system_path + ":3:12: output[0].position must be an array of two integers [x, y]");
    CHECK(error_text(prefix + "position = \"0,0\"\n") ==
          system_path + ":3:12: output[0].position must be an array of two integers [x, y]");
    CHECK(error_text(prefix + "position = [0, 40000]\n") ==
          system_path + ":3:16: output[0].position[1] must be between -32768 and 32767, not "
                        "40000");
    CHECK(error_text(prefix + "position = [0.5, 0]\n") ==
          system_path + ":3:13: output[0].position[0] must be an integer, not a floating-point "
                        "number");
    CHECK(error_text(prefix + "enabled = 1\n") ==
          system_path + ":3:11: output[0].enabled must be true or false, not an integer");
}

TEST_CASE("Key combos: modifier names are case-insensitive aliases, the key is kept", "[config]")
{
    std::string why;
    const std::pair<const char *, uint32_t> combos[] = {
        {"Super+Return", super},
        {"super+Return", super},
        {"LOGO+Return", super},
        {"Mod4+Return", super},
        {"Shift+Return", shift},
        {"ctrl+Return", ctrl},
        {"Control+Return", ctrl},
        {"Alt+Return", alt},
        {"mod1+Return", alt},
        {"Mod2+Return", mod2},
        {"Mod3+Return", mod3},
        {"Mod5+Return", mod5},
        {"Return", 0},
        {"Super+Shift+Ctrl+Alt+Return", super | shift | ctrl | alt},
        {" Super + Return ", super},
        {"Super+Super+Return", super},
    };
    for (const auto &[combo, modifiers] : combos) {
        INFO(combo);
        const std::optional<Binding> binding = parse_key_combo(combo, why);
        REQUIRE(binding);
        CHECK(binding->modifiers == modifiers);
        CHECK(binding->key == "Return");
    }
    CHECK(parse_key_combo("Super+q", why)->key == "q");
    CHECK(parse_key_combo("Super+Q", why)->key == "Q"); // keysym names are case-sensitive
    CHECK(parse_key_combo("Super+F1", why)->key == "F1");
    CHECK(parse_key_combo("Super+plus", why)->key == "plus");

    const std::pair<const char *, const char *> bad[] = {
        {"", "the key combo is empty"},
        {"  ", "the key combo is empty"},
        {"Super+", "it has an empty part (the + key is called \"plus\")"},
        {"+q", "it has an empty part (the + key is called \"plus\")"},
        {"Super++", "it has an empty part (the + key is called \"plus\")"},
        {"Super+Shift", "it has no key after the modifiers"},
        {"Super+Page Up", "the key name contains a space or a control character"},
        {"Hyper+q", "unknown modifier \"Hyper\" (valid modifiers: Super, Logo, Mod4, Shift, "
                    "Ctrl, Control, Alt, Mod1, Mod2, Mod3, Mod5)"},
        {"Caps+q", "unknown modifier \"Caps\" (valid modifiers: Super, Logo, Mod4, Shift, "
                   "Ctrl, Control, Alt, Mod1, Mod2, Mod3, Mod5)"},
    };
    for (const auto &[combo, reason] : bad) {
        INFO(combo);
        why.clear();
        CHECK_FALSE(parse_key_combo(combo, why));
        CHECK(why == reason);
    }
}

TEST_CASE("Binding actions and their arguments", "[config]")
{
    const Config config = parse_ok(R"([bindings]
"Super+1" = "spawn   notify-send 'a  b' "
"Super+2" = "send-to-output DP-1"
"Super+3" = "send-to-output next"
"Super+4" = "  close  "
"Super+5" = "next-layout"
)");
    const std::vector<std::string> all = describe(config.bindings);
    const std::vector<std::string> added(all.end() - 5, all.end());
    CHECK(added == std::vector<std::string>{
                       "Super+1=spawn notify-send 'a  b'", "Super+2=send-to-output DP-1",
                       "Super+3=send-to-output next", "Super+4=close", "Super+5=next-layout"});
    CHECK(action_name(Action::focus_prev) == "focus-prev");
    CHECK(action_from_name("send-to-output") == Action::send_to_output);
    CHECK_FALSE(action_from_name("none"));

    const std::string prefix = "[bindings]\n\"Super+x\" = ";
    const std::string at = system_path + ":2:13: bindings.\"Super+x\": ";
    CHECK(error_text(prefix + "\"launch foot\"") ==
          at + "unknown action \"launch\" (valid actions: spawn, close, focus-next, focus-prev, "
               "maximize, fullscreen, send-to-output, next-layout, lock, reload, exit, or none "
               "to remove the binding)");
    CHECK(error_text(prefix + "\"\"") ==
          at + "unknown action \"\" (valid actions: spawn, close, focus-next, focus-prev, "
               "maximize, fullscreen, send-to-output, next-layout, lock, reload, exit, or none "
               "to remove the binding)");
    CHECK(error_text(prefix + "\"spawn\"") == at + "spawn needs a command, such as \"spawn foot\"");
    CHECK(error_text(prefix + "\"spawn   \"") ==
          at + "spawn needs a command, such as \"spawn foot\"");
    CHECK(error_text(prefix + "\"send-to-output\"") ==
          at + "send-to-output needs next, prev or an output name");
    CHECK(error_text(prefix + "\"close now\"") == at + "close takes no argument");
    CHECK(error_text(prefix + "\"none please\"") ==
          at + "none removes a binding and takes no argument");
    CHECK(error_text(prefix + "42") ==
          system_path + ":2:13: bindings.\"Super+x\" must be a string, not an integer");
    CHECK(error_text("[bindings]\n\"Hyper+x\" = \"close\"\n") ==
          system_path + ":2:1: invalid key combo \"Hyper+x\" in [bindings]: unknown modifier "
                        "\"Hyper\" (valid modifiers: Super, Logo, Mod4, Shift, Ctrl, Control, "
                        "Alt, Mod1, Mod2, Mod3, Mod5)");
}

TEST_CASE("Two bindings for the same normalised combo in one file are an error", "[config]")
{
    CHECK(error_text("[bindings]\n\"Super+Return\" = \"close\"\n\"super+Return\" = \"exit\"\n") ==
          system_path + ":3:1: key combo \"super+Return\" in [bindings] is the same as "
                        "\"Super+Return\"");
    // Reported at the later line even when the earlier key sorts after it.
    CHECK(
        error_text("", "[bindings]\n\"Mod4+Shift+q\" = \"close\"\n\"Shift+Logo+q\" = \"exit\"\n") ==
        user_path + ":3:1: key combo \"Shift+Logo+q\" in [bindings] is the same as "
                    "\"Mod4+Shift+q\"");
    // Different keysyms are different combos.
    CHECK(
        parse_ok("[bindings]\n\"Super+q\" = \"close\"\n\"Super+Q\" = \"exit\"\n").bindings.size() ==
        default_binding_texts.size() + 2);
}

TEST_CASE("Bindings: defaults, then system, then user, combo by combo", "[config]")
{
    const Config config = parse_ok(
        "[general]\nterminal = \"xterm\"\n"
        "[bindings]\n\"Super+Return\" = \"spawn alacritty\"\n\"Super+t\" = \"spawn xterm\"\n"
        "\"Super+u\" = \"close\"\n",
        "[bindings]\n\"mod4+t\" = \"spawn kitty\"\n\"Super+l\" = \"none\"\n"
        "\"Alt+Tab\" = \"  none \"\n\"Super+F12\" = \"none\"\n\"Super+w\" = \"maximize\"\n");
    CHECK(describe(config.bindings) ==
          std::vector<std::string>{
              "Super+Return=spawn alacritty", "Super+Shift+q=close", "Alt+Shift+Tab=focus-prev",
              "Super+m=maximize", "Super+f=fullscreen", "Super+o=send-to-output next",
              "Super+space=next-layout", "Super+Shift+r=reload", "Super+Shift+e=exit",
              "Super+t=spawn kitty", "Super+u=close", "Super+w=maximize"});
    // A system "none" is undone by a user binding of the same combo.
    const Config rebound = parse_ok("[bindings]\n\"Super+l\" = \"none\"\n",
                                    "[bindings]\n\"Super+l\" = \"spawn swaylock\"\n");
    CHECK(describe(rebound.bindings).back() == "Super+l=spawn swaylock");
    CHECK(rebound.bindings.size() == default_binding_texts.size());
}

TEST_CASE("Hostile input: oversized files", "[config]")
{
    const std::string huge(10 * 1024 * 1024, '#');
    CHECK(error_text(huge) == system_path + ": the file is larger than 1 MiB");
    CHECK(error_text("", huge) == user_path + ": the file is larger than 1 MiB");
    // Exactly 1 MiB is still read.
    std::string limit = "[cursor]\nsize = 48\n";
    limit += std::string(1024 * 1024 - limit.size() - 1, '#') + "\n";
    REQUIRE(limit.size() == 1024 * 1024);
    CHECK(parse_ok(limit).cursor.size == 48);
}

TEST_CASE("Hostile input: deep nesting is refused before toml++ can overflow the stack", "[config]")
{
    std::string dotted_key;
    for (int i = 0; i < 300000; ++i)
        dotted_key += "a.";
    CHECK(error_text(dotted_key + "a = 1\n") ==
          system_path + ":1:66: keys are nested more than 32 levels deep");
    CHECK(error_text("[" + dotted_key + "a]\n") ==
          system_path + ":1:67: keys are nested more than 32 levels deep");
    CHECK(error_text("", "x = 1\n[[" + dotted_key + "a]]\n") ==
          user_path + ":2:68: keys are nested more than 32 levels deep");
    std::string inline_tables, arrays;
    for (int i = 0; i < 100000; ++i) {
        inline_tables += "{a=";
        arrays += "[";
    }
    CHECK(error_text("a = " + inline_tables + "1\n") ==
          system_path + ":1:101: brackets are nested more than 32 levels deep");
    CHECK(error_text("a = " + arrays + "\n") ==
          system_path + ":1:37: brackets are nested more than 32 levels deep");
    // Dots and brackets inside strings and comments do not count.
    const std::string many_dots(5000, '.');
    const Config config =
        parse_ok("# " + many_dots + "\n[general]\nterminal = \"foot " + many_dots +
                 "\"\n[keyboard]\nlayout = '[[[[[[[[[[[[[[[[[[[["
                 "[[[[[[[[[[[[[[[[[[[[[[[['\noptions = \"\"\"\n" +
                 many_dots + "\"\"\"\"\nmodel = '''" + many_dots + "'''\n");
    CHECK(config.terminal.size() == 5005);
    CHECK(config.keyboard.options == many_dots + "\""); // the first newline is dropped
    // A legitimately dotted key is fine.
    CHECK(parse_ok("keyboard.repeat_rate = 40\n").keyboard.repeat_rate == 40);
}

TEST_CASE("Hostile input: NUL bytes, bad UTF-8, control characters", "[config]")
{
    using namespace std::string_literals;
    CHECK_THAT(error_text("[keyboard]\nlayout = \"us\"\n\0\n"s),
               Catch::StartsWith(system_path + ":3:1: "));
    CHECK_THAT(error_text("[keyboard]\nlayout = \"u\0s\"\n"s),
               Catch::StartsWith(system_path + ":2:"));
    CHECK_THAT(error_text("[keyboard]\nlayout = \"\xff\xfe\"\n"),
               Catch::StartsWith(system_path + ":2:") && Catch::Contains("utf-8"));
    CHECK_THAT(error_text("", "[keyboard]\n\xc3\x28 = 1\n"),
               Catch::StartsWith(user_path + ":") && Catch::Contains("utf-8"));
    // An escaped NUL is valid TOML, but no C string can carry it.
    CHECK(error_text("[general]\nterminal = \"foot\\u0000rm -rf\"\n") ==
          system_path + ":2:12: general.terminal must not contain a NUL character");
    // Control characters from the file are escaped in messages.
    CHECK(error_text("[[output]]\nname = \"A\"\nmode = \"1\\u001b[2J\"\n") ==
          system_path + ":3:8: output[0].mode must look like \"1920x1080\", \"1920x1080@60\" or "
                        "\"1920x1080@59.94\", not \"1\\x1b[2J\"");
}

TEST_CASE("Hostile input: malformed text that trips toml++'s internal assertions", "[config]")
{
    // toml++ 3.3 asserts on these before reporting them; a debug build must not abort.
    CHECK(error_text("[=\n") == system_path + ":1:2: Error while parsing key: expected bare key "
                                              "starting character or string delimiter, saw '='");
    CHECK_THAT(error_text("[{"), Catch::StartsWith(system_path + ":1:2: "));
    CHECK_THAT(error_text("", "["), Catch::StartsWith(user_path + ":1:"));
    CHECK_THAT(error_text("x = [0,}\n"), Catch::StartsWith(system_path + ":1:"));
}

TEST_CASE("Hostile input: huge and negative numbers", "[config]")
{
    CHECK_THAT(error_text("[cursor]\nsize = 99999999999999999999\n"),
               Catch::StartsWith(system_path + ":2:") && Catch::Contains("64 bits"));
    CHECK(error_text("[cursor]\nsize = 9223372036854775807\n") ==
          system_path + ":2:8: cursor.size must be between 8 and 256, not 9223372036854775807");
    CHECK(error_text("[cursor]\nsize = -9223372036854775808\n") ==
          system_path + ":2:8: cursor.size must be between 8 and 256, not -9223372036854775808");
    // A value that only fits after truncation to int must not wrap into range.
    CHECK(error_text("[cursor]\nsize = 4294967320\n") ==
          system_path + ":2:8: cursor.size must be between 8 and 256, not 4294967320");
    CHECK(error_text("[cursor]\nsize = -24\n") ==
          system_path + ":2:8: cursor.size must be between 8 and 256, not -24");
    CHECK(error_text("[keyboard]\nrepeat_delay = -600\n") ==
          system_path + ":2:16: keyboard.repeat_delay must be between 100 and 5000, not -600");
    CHECK(error_text("[pointer]\nacceleration = -inf\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not -inf");
    CHECK(error_text("[pointer]\nacceleration = 1e308\n") ==
          system_path + ":2:16: pointer.acceleration must be between -1.0 and 1.0, not 1e+308");
}

TEST_CASE("Hostile input: random damage never escapes as an exception", "[config]")
{
    check_random_damage(example_config, 1234, 3000, "[]{}\"'.=#\n\\");
}

TEST_CASE("load() reads both files; a missing file is an empty one", "[config]")
{
    TempDir dir;
    const std::string system_file = dir.write("system.toml", "[cursor]\nsize = 32\n");
    const std::string user_file = dir.write("user.toml", "[cursor]\ntheme = \"DMZ\"\n");
    LoadResult result = load(system_file, user_file);
    REQUIRE(result.config);
    CHECK(result.config->cursor.size == 32);
    CHECK(result.config->cursor.theme == "DMZ");

    result = load(dir.path + "/absent.toml", dir.path + "/also-absent.toml");
    REQUIRE(result.config);
    CHECK(describe(result.config->bindings) == default_binding_texts);
    result = load(system_file, ""); // no user config at all (no $HOME)
    REQUIRE(result.config);
    CHECK(result.config->cursor.size == 32);

    const std::string bad_user = dir.write("bad.toml", "[window]\n");
    result = load(system_file, bad_user);
    REQUIRE(result.error);
    CHECK(result.error->to_string() == bad_user + ":1:2: [window] may only be set in the system "
                                                  "config");
}

TEST_CASE("load() reports unreadable files with the path and the reason", "[config]")
{
    TempDir dir;
    LoadResult result = load(dir.path, "");
    REQUIRE(result.error);
    CHECK(result.error->to_string() == dir.path + ": cannot read the file: Is a directory");

    const std::string not_a_dir = dir.write("file", "");
    result = load("", not_a_dir + "/rampart.toml");
    REQUIRE(result.error);
    CHECK(result.error->to_string() ==
          not_a_dir + "/rampart.toml: cannot open the file: Not a directory");

    const std::string huge = dir.write("huge.toml", std::string(3 * 1024 * 1024, '#'));
    result = load(huge, "");
    REQUIRE(result.error);
    CHECK(result.error->to_string() == huge + ": the file is larger than 1 MiB");

    if (geteuid() != 0) { // root reads anything
        const std::string secret = dir.write("secret.toml", "[cursor]\nsize = 32\n");
        REQUIRE(chmod(secret.c_str(), 0) == 0);
        result = load(secret, "");
        REQUIRE(result.error);
        CHECK(result.error->to_string() == secret + ": cannot open the file: Permission denied");
    }
}

TEST_CASE("Default paths follow XDG_CONFIG_HOME, then HOME", "[config]")
{
    CHECK(default_system_path() == "/etc/rampart/rampart.toml");
    {
        ScopedEnv config_home("XDG_CONFIG_HOME", "/cfg");
        ScopedEnv home("HOME", "/home/ann");
        CHECK(default_user_path() == "/cfg/rampart/rampart.toml");
    }
    {
        ScopedEnv config_home("XDG_CONFIG_HOME", nullptr);
        ScopedEnv home("HOME", "/home/ann");
        CHECK(default_user_path() == "/home/ann/.config/rampart/rampart.toml");
    }
    {
        ScopedEnv config_home("XDG_CONFIG_HOME", "relative/path"); // ignored, as XDG says
        ScopedEnv home("HOME", "/home/ann");
        CHECK(default_user_path() == "/home/ann/.config/rampart/rampart.toml");
    }
    {
        ScopedEnv config_home("XDG_CONFIG_HOME", "");
        ScopedEnv home("HOME", nullptr);
        CHECK(default_user_path().empty());
    }
}

TEST_CASE("[panel] takes the clock format and the user's security phrase", "[config][panel]")
{
    auto result = rampart::config::parse("[panel]\nclock_format = \"%H:%M\"\n", "/etc/r.toml",
                                         "[panel]\nsecurity_phrase = \"blue heron at dawn\"\n",
                                         "/home/u/r.toml");
    REQUIRE(result.config);
    CHECK(result.config->panel.clock_format == "%H:%M");
    CHECK(result.config->panel.security_phrase == "blue heron at dawn");
    auto empty_clock =
        rampart::config::parse("[panel]\nclock_format = \"\"\n", "/etc/r.toml", "", "/u");
    CHECK_FALSE(empty_clock.config);
    auto unknown = rampart::config::parse("", "/etc/r.toml", "[panel]\nphrase = \"x\"\n", "/u");
    REQUIRE(unknown.error);
    CHECK(unknown.error->to_string().rfind("/u:2:1:", 0) == 0);
}

TEST_CASE("[panel] key combinations and edge are checked", "[config][panel]")
{
    auto ok = rampart::config::parse(
        "[panel]\nsecure_attention_key = \"Super+Escape\"\nedge = \"bottom\"\n", "/etc/r.toml", "",
        "/u");
    REQUIRE(ok.config);
    CHECK(ok.config->panel.secure_attention_key.key == "Escape");
    CHECK(ok.config->panel.secure_attention_key.modifiers == rampart::config::super);
    CHECK(ok.config->panel.edge == rampart::config::PanelEdge::bottom);
    auto defaults = rampart::config::parse("", "/etc/r.toml", "", "/u");
    CHECK(defaults.config->panel.secure_attention_key.key == "Delete");
    auto bad = rampart::config::parse("[panel]\nxray_key = \"Hyper+\"\n", "/etc/r.toml", "", "/u");
    REQUIRE(bad.error);
    CHECK(bad.error->to_string().rfind("/etc/r.toml:2:12:", 0) == 0);
}

TEST_CASE("[lock]: the administrator sets the limits; the user may only shorten the idle time",
          "[config][lock]")
{
    using rampart::config::parse;
    auto defaults = parse("", "/etc/r.toml", "", "/u");
    REQUIRE(defaults.config);
    const auto &lock = defaults.config->lock;
    CHECK(lock.effective_idle_timeout() == 600);
    CHECK_FALSE(lock.show_length);
    CHECK_FALSE(lock.allow_logind_unlock); // logind's Unlock is refused unless allowed
    CHECK(lock.lock_before_sleep);
    CHECK(lock.authd == rampart::config::AuthdMode::spawn);

    auto system = "[lock]\nidle_timeout = 300\nfree_attempts = 5\nbackoff_base = 2\n"
                  "backoff_max = 600\ncheck_timeout = 30\nshow_length = true\n"
                  "allow_logind_unlock = true\nauthd = \"system\"\n"
                  "authd_socket = \"/run/x/authd.socket\"\n";
    auto shorter = parse(system, "/etc/r.toml", "[lock]\nidle_timeout = 60\n", "/u");
    REQUIRE(shorter.config);
    CHECK(shorter.config->lock.effective_idle_timeout() == 60);
    CHECK(shorter.config->lock.free_attempts == 5);
    CHECK(shorter.config->lock.authd_socket == "/run/x/authd.socket");
    // A longer user value does not lengthen the administrator's maximum.
    auto longer = parse(system, "/etc/r.toml", "[lock]\nidle_timeout = 3600\n", "/u");
    REQUIRE(longer.config);
    CHECK(longer.config->lock.effective_idle_timeout() == 300);
    // No administrator timeout: the user's own applies.
    auto user_only = parse("[lock]\nidle_timeout = 0\n", "/etc/r.toml",
                           "[lock]\nidle_timeout = 120\n", "/u");
    REQUIRE(user_only.config);
    CHECK(user_only.config->lock.effective_idle_timeout() == 120);

    // The user may not touch anything else in [lock], nor turn the idle lock off.
    for (const char *user : {"[lock]\nallow_logind_unlock = true\n", "[lock]\nfree_attempts = 99\n",
                             "[lock]\nidle_timeout = 0\n", "[lock]\nauthd_path = \"/tmp/x\"\n"}) {
        INFO(user);
        CHECK_FALSE(parse("", "/etc/r.toml", user, "/u").config);
    }
    // Hostile or inconsistent system values are refused with a position.
    for (const char *bad :
         {"[lock]\nidle_timeout = -1\n", "[lock]\nbackoff_base = 0\n",
          "[lock]\nbackoff_base = 60\nbackoff_max = 10\n", "[lock]\ncheck_timeout = 1\n",
          "[lock]\nauthd = \"inline\"\n", "[lock]\nauthd_path = \"relative/authd\"\n",
          "[lock]\nfree_attempts = 1000000\n", "[lock]\nshow_length = \"yes\"\n"}) {
        INFO(bad);
        auto result = parse(bad, "/etc/r.toml", "", "/u");
        CHECK_FALSE(result.config);
        REQUIRE(result.error);
        CHECK(result.error->to_string().rfind("/etc/r.toml:", 0) == 0);
    }
}
