// Rampart's configuration model. Pure C++ (no wlroots): parsed from TOML by config.cpp,
// unit-tested alone. Every field has a safe default, so an empty file is a valid config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::config {

enum class LogLevel { error, warning, info, debug };

// Matches wl_output_transform numbering, so the glue can cast it.
enum class Transform {
    normal = 0,
    rot90,
    rot180,
    rot270,
    flipped,
    flipped90,
    flipped180,
    flipped270
};

struct OutputConfig {
    std::string name; // connector name such as "HEADLESS-1" or "DP-1"; "*" matches any
    bool enabled = true;
    std::optional<int> width, height; // mode; both or neither
    std::optional<int> refresh_mhz;   // e.g. 60000; optional even with a mode
    int scale = 1;                    // integer scale 1..4
    std::optional<int> x, y;          // layout position; both or neither (auto otherwise)
    Transform transform = Transform::normal;
};

struct KeyboardConfig {
    std::string rules, model, layout = "us", variant, options; // xkb names
    int repeat_rate = 25;   // keys per second, 0 disables repeat, max 100
    int repeat_delay = 600; // ms, 100..5000
};

struct PointerConfig {
    double acceleration = 0.0; // libinput speed, -1..1
    bool natural_scroll = false;
    bool tap_to_click = true;
};

struct CursorConfig {
    std::string theme; // empty: the xcursor default
    int size = 24;     // 8..256
};

// Geometry and behaviour of windows. System config only: these are limits.
struct WindowConfig {
    int max_width = 16384, max_height = 16384; // biggest surface a client may have
    int border = 2;                            // frame thickness in px, 1..32
    int title_height = 24;                     // title bar height in px, 16..64
    int fullscreen_border = 2;  // level frame kept around fullscreen windows, 1..32 px
    int typing_grace_ms = 1000; // no focus stealing this long after the user typed
};

// Security levels. System config only: [levels] and [[level]], listed lowest first.
enum class TitlePattern { none, stripes, dots, checks };

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb &) const = default;
};

struct LevelConfig {
    std::string id;    // [a-z0-9_-]{1,32}, unique; what policy and the glue refer to
    std::string name;  // shown on the panel and in frames; 1..32 code points
    std::string glyph; // 1..4 code points drawn before the name: colour is never the only cue
    Rgb color, text_color;
    TitlePattern pattern = TitlePattern::none;
    std::string socket;                     // as written: absolute or under $XDG_RUNTIME_DIR
    std::string socket_owner, socket_group; // as written (a name or a number); empty = ours
    unsigned socket_mode = 0600;            // never grants other users access
    int max_windows = 64, max_width = 8192, max_height = 8192;
};

struct LevelsConfig {
    std::vector<LevelConfig> levels; // rank order, lowest first; never empty after parse()
    std::string plain_socket_level;  // the level served on wayland-N; "" = no such socket
    std::string trusted_socket;      // owner-only socket for trusted tools; "" = off
};

enum class Action {
    spawn,      // argument: the command line, run through /bin/sh -c
    close,      // close the focused window
    focus_next, // Alt+Tab
    focus_prev,
    maximize,       // toggle
    fullscreen,     // toggle
    send_to_output, // argument: "next", "prev" or an output name
    next_layout,    // switch keyboard layout group
    lock,           // lock the screen
    reload,         // reload configuration
    exit,           // quit Rampart
};

struct Binding {
    uint32_t modifiers = 0; // a mask of Modifier bits below
    std::string key;        // xkb keysym name as written, e.g. "Return", "q", "Tab", "F1"
    Action action = Action::spawn;
    std::string argument;
};

// Bit values equal wlroots' WLR_MODIFIER_* so the glue can compare directly.
enum Modifier : uint32_t {
    shift = 1u << 0,
    caps = 1u << 1,
    ctrl = 1u << 2,
    alt = 1u << 3,
    mod2 = 1u << 4,
    mod3 = 1u << 5,
    super = 1u << 6,
    mod5 = 1u << 7,
};

// The trusted panel. The security phrase is the user's: shown only by Rampart's trusted
// surfaces, so a fake panel would have to guess it.
enum class PanelEdge { top, bottom };

struct PanelConfig {
    std::string clock_format = "%H:%M"; // strftime; minutes or coarser keeps an idle desktop idle
    std::string security_phrase;
    PanelEdge edge = PanelEdge::top;
    // Keys Rampart keeps for itself, never delivered to a client.
    Binding secure_attention_key{ctrl | alt, "Delete", Action::spawn,
                                 ""};               // opens the trusted overview
    Binding xray_key{0, "Menu", Action::spawn, ""}; // shows level badges while held
};

// The lock screen (issue 5). Times in seconds. System config, except that the user's file may
// set a shorter idle_timeout than the administrator's.
enum class AuthdMode { spawn, system };
struct LockConfig {
    int idle_timeout = 600;           // the administrator's maximum; 0: no idle lock imposed
    int user_idle_timeout = 0;        // from the user's file; only ever shortens; 0: not set
    int free_attempts = 3;            // failures before waits begin
    int backoff_base = 5;             // the first wait; doubles with every further failure
    int backoff_max = 300;            // waits stop growing here
    int check_timeout = 60;           // a broker silent this long during a check is hung
    bool show_length = false;         // one dot per typed character (default: length hidden)
    bool lock_before_sleep = true;    // hold a logind delay inhibitor while unlocked
    bool logind = true;               // follow logind's Lock signal, set LockedHint
    bool allow_logind_unlock = false; // honour logind's Unlock signal (loginctl unlock-session)
    AuthdMode authd = AuthdMode::spawn;
    std::string authd_path;                                 // empty: next to rampart, or libexecdir
    std::string authd_socket = "/run/rampart/authd.socket"; // for authd = "system"
    // The idle timeout in effect: the shorter of the two; 0 when neither sets one.
    int effective_idle_timeout() const
    {
        if (idle_timeout == 0)
            return user_idle_timeout;
        return user_idle_timeout > 0 && user_idle_timeout < idle_timeout ? user_idle_timeout
                                                                         : idle_timeout;
    }
};

// The user's encrypted volumes (issue 6). System config only: read by rampart-authd, which
// alone touches keys; the compositor never does.
enum class OnLock { keep, suspend }; // suspend: sync, then crypt_suspend (key leaves the kernel)
enum class CardRemoval { ignore, lock };
struct VolumeConfig {
    std::string name;              // device-mapper name, [A-Za-z0-9_-]{1,64}, unique
    std::string device;            // LUKS2 block device or image file, absolute path
    std::optional<OnLock> on_lock; // unset: [storage].on_lock
    // The account whose lock screen opens and suspends it (its [storage].user when unset in
    // the file; a volume without an owner is a config error). The broker serves a peer only
    // the volumes its SO_PEERCRED uid's account owns.
    std::string user;
};
struct StorageConfig {
    OnLock on_lock = OnLock::keep;
    CardRemoval card_removal = CardRemoval::ignore; // when the token that unlocked goes
    std::string pkcs11_module;                      // empty: p11-kit's module list (p11-kit-proxy)
    std::string user;                               // the owner of volumes that name none
    std::vector<VolumeConfig> volumes;
    OnLock policy_for(const VolumeConfig &volume) const { return volume.on_lock.value_or(on_lock); }
    // This config with only the volumes `account` owns.
    StorageConfig owned_by(std::string_view account) const;
    // Whether any volume here is suspended at lock.
    bool suspends_any() const;
};

struct Config {
    LogLevel log_level = LogLevel::info;
    std::string terminal = "foot"; // what the default Super+Return binding spawns
    KeyboardConfig keyboard;
    PointerConfig pointer;
    CursorConfig cursor;
    WindowConfig window;
    LevelsConfig levels; // without [[level]]: one level "default" served on wayland-N
    std::vector<OutputConfig> outputs;
    PanelConfig panel;
    LockConfig lock;
    StorageConfig storage;
    std::vector<Binding> bindings; // when the files name none: default_bindings(terminal)
};

// A config problem in the form "path:line:col: message" (line/col 1-based; 0 when unknown).
struct Error {
    std::string path;
    int line = 0, column = 0;
    std::string message;
    std::string to_string() const;
};

struct LoadResult {
    std::optional<Config> config; // set on success
    std::optional<Error> error;   // set on failure (config is then empty)
};

// Parses the system config text, then the user config text on top of it. The user file may
// set only [keyboard], [pointer], [cursor], [[output]] and [bindings]; anything else in it
// (such as [window], [levels] or [[level]]) is an error. Either text may be empty (file
// absent). Unknown keys, wrong types and values out of range are errors. Paths are only used
// in messages.
LoadResult parse(const std::string &system_text, const std::string &system_path,
                 const std::string &user_text, const std::string &user_path);

// Reads the files (a missing file counts as empty, an unreadable one is an error) and parses.
// An empty path means there is no such file. Files over 1 MiB are refused unread.
LoadResult load(const std::string &system_path, const std::string &user_path);

// The default paths: /etc/rampart/rampart.toml and $XDG_CONFIG_HOME/rampart/rampart.toml
// (~/.config when XDG_CONFIG_HOME is unset or relative; "" when HOME is unset too).
std::string default_system_path();
std::string default_user_path();

std::vector<Binding> default_bindings(const std::string &terminal);

// Parses "Super+Shift+Return"; returns nullopt with `why` set on a bad modifier or empty key.
// Modifier names are case-insensitive; the key is kept as written (keysym names are not).
std::optional<Binding> parse_key_combo(const std::string &combo, std::string &why);

// An action's name in the config file ("focus-next"), and back (nullopt if there is none).
std::string_view action_name(Action action);
std::optional<Action> action_from_name(std::string_view name);

// Parses a [bindings] value such as "spawn foot" or "send-to-output next" into
// binding.action and binding.argument; false with `why` set on an unknown action, a missing
// argument (spawn, send-to-output) or an unexpected one. The value "none", which removes a
// binding, is the config reader's business and is refused here.
bool parse_action(const std::string &text, Binding &binding, std::string &why);

// The entry named `name`, else the "*" entry, else nullptr.
const OutputConfig *find_output(const Config &config, const std::string &name);

// The level with this id, or nullptr.
const LevelConfig *find_level(const Config &config, std::string_view id);

// Where a socket is: an absolute path stays, a relative one is joined to runtime_dir, and
// "a/../b", "./x" and repeated '/' are normalised (lexically, symlinks are not followed).
// "" when the path is empty, or relative while runtime_dir is not an absolute path.
std::string resolve_socket_path(const std::string &path, const std::string &runtime_dir);

} // namespace rampart::config
