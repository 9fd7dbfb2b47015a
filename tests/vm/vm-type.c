// vm-type: a uinput keyboard for the VM tests. Types what it is told, like a person would.
//
//   vm-type --pid PID [--timeout SECONDS] < commands
//
// It creates the keyboard, then waits until process PID (the compositor) has that keyboard's
// /dev/input/eventN open (a symlink in /proc/PID/fd): keys sent before libinput opened the
// device are lost. Then it runs commands, one a line, from stdin:
//   type TEXT          types TEXT (US layout; letters, digits, space, common punctuation)
//   key NAME[+NAME]    presses a key or a chord, e.g. "key enter", "key ctrl+alt+delete"
//   sleep MS           waits
// At the end of stdin it keeps the device a moment before destroying it: events still
// unread when an evdev device disappears are dropped. A script that keeps stdin open until
// it saw the effect of the keys (an event in the compositor's log) needs no such luck.
// Exit status 0, or 1 with a message on stderr.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/uinput.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

enum { hold_ms = 40, gap_ms = 60 }; // a quick typist; slow enough for TCG to keep up

static int uinput = -1;

static void die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("vm-type: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static void emit(int type, int code, int value)
{
    struct input_event event = {.type = type, .code = code, .value = value};
    if (write(uinput, &event, sizeof event) != sizeof event)
        die("write to uinput: %s", strerror(errno));
}

static void set_key(int code, bool down)
{
    emit(EV_KEY, code, down ? 1 : 0);
    emit(EV_SYN, SYN_REPORT, 0);
}

// Presses the keys in order, holds them, releases them in reverse order.
static void chord(const int *codes, int count)
{
    for (int i = 0; i < count; ++i) {
        set_key(codes[i], true);
        sleep_ms(i + 1 < count ? gap_ms / 2 : hold_ms);
    }
    for (int i = count - 1; i >= 0; --i)
        set_key(codes[i], false);
    sleep_ms(gap_ms);
}

struct named_key {
    const char *name;
    int code;
};

static const struct named_key named_keys[] = {
    {"enter", KEY_ENTER},         {"return", KEY_ENTER},        {"escape", KEY_ESC},
    {"esc", KEY_ESC},             {"tab", KEY_TAB},             {"backspace", KEY_BACKSPACE},
    {"space", KEY_SPACE},         {"delete", KEY_DELETE},       {"ctrl", KEY_LEFTCTRL},
    {"control", KEY_LEFTCTRL},    {"alt", KEY_LEFTALT},         {"shift", KEY_LEFTSHIFT},
    {"super", KEY_LEFTMETA},      {"logo", KEY_LEFTMETA},       {"left", KEY_LEFT},
    {"right", KEY_RIGHT},         {"up", KEY_UP},               {"down", KEY_DOWN},
    {"home", KEY_HOME},           {"end", KEY_END},             {"f1", KEY_F1},
    {"f2", KEY_F2},               {"f12", KEY_F12},             {"capslock", KEY_CAPSLOCK},
};

// US layout: the key for a character, and whether it needs Shift. 0 when unknown.
static int char_key(char c, bool *shift)
{
    static const char *const rows[] = {"1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"};
    static const char *const shifted[] = {"!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"", "ZXCVBNM<>?"};
    static const int first[] = {KEY_1, KEY_Q, KEY_A, KEY_Z};
    *shift = false;
    if (c == ' ')
        return KEY_SPACE;
    if (c == '`' || c == '~') {
        *shift = c == '~';
        return KEY_GRAVE;
    }
    if (c == '\\' || c == '|') {
        *shift = c == '|';
        return KEY_BACKSLASH;
    }
    for (int row = 0; row < 4; ++row) {
        const char *at = strchr(rows[row], c);
        if (!at && (at = strchr(shifted[row], c)))
            *shift = true;
        if (at && c)
            return first[row] + (int)(at - (*shift ? shifted[row] : rows[row]));
    }
    return 0;
}

static void type_text(const char *text)
{
    for (const char *p = text; *p; ++p) {
        bool shift;
        int code = char_key(*p, &shift);
        if (!code)
            die("cannot type the character 0x%02x", (unsigned char)*p);
        int codes[2] = {KEY_LEFTSHIFT, code};
        chord(shift ? codes : codes + 1, shift ? 2 : 1);
    }
}

static void press(char *spec)
{
    int codes[8], count = 0;
    for (char *name = strtok(spec, "+"); name; name = strtok(NULL, "+")) {
        int code = 0;
        for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; ++i)
            if (!strcasecmp(name, named_keys[i].name))
                code = named_keys[i].code;
        bool shift;
        if (!code && strlen(name) == 1)
            code = char_key((char)tolower((unsigned char)name[0]), &shift);
        if (!code)
            die("unknown key \"%s\"", name);
        if (count == 8)
            die("too many keys in one chord");
        codes[count++] = code;
    }
    chord(codes, count);
}

// /dev/input/eventN of the uinput device just created.
static void event_node(char *path, size_t size)
{
    char sysname[64] = "";
    if (ioctl(uinput, UI_GET_SYSNAME(sizeof sysname), sysname) < 0)
        die("UI_GET_SYSNAME: %s", strerror(errno));
    char dir_path[PATH_MAX];
    snprintf(dir_path, sizeof dir_path, "/sys/devices/virtual/input/%s", sysname);
    for (int tries = 0; tries < 500; ++tries) {
        DIR *dir = opendir(dir_path);
        for (struct dirent *entry; dir && (entry = readdir(dir));) {
            if (!strncmp(entry->d_name, "event", 5)) {
                snprintf(path, size, "/dev/input/%s", entry->d_name);
                closedir(dir);
                return;
            }
        }
        if (dir)
            closedir(dir);
        sleep_ms(10);
    }
    die("no event device under %s", dir_path);
}

static bool has_open(const char *pid, const char *node)
{
    char fd_dir[64];
    snprintf(fd_dir, sizeof fd_dir, "/proc/%s/fd", pid);
    DIR *dir = opendir(fd_dir);
    if (!dir)
        die("process %s is gone", pid);
    bool found = false;
    for (struct dirent *entry; !found && (entry = readdir(dir));) {
        char link[PATH_MAX + 64], target[PATH_MAX];
        snprintf(link, sizeof link, "%s/%s", fd_dir, entry->d_name);
        ssize_t length = readlink(link, target, sizeof target - 1);
        if (length > 0) {
            target[length] = '\0';
            found = !strcmp(target, node);
        }
    }
    closedir(dir);
    return found;
}

int main(int argc, char **argv)
{
    const char *pid = NULL;
    long timeout_s = 120;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--pid") && i + 1 < argc)
            pid = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout_s = atol(argv[++i]);
        else
            die("usage: vm-type --pid PID [--timeout SECONDS] < commands");
    }
    if (!pid)
        die("--pid is required");

    uinput = open("/dev/uinput", O_WRONLY | O_CLOEXEC);
    if (uinput < 0)
        die("/dev/uinput: %s (is the uinput module loaded?)", strerror(errno));
    ioctl(uinput, UI_SET_EVBIT, EV_KEY);
    for (int code = 1; code < 256; ++code) // a full keyboard, so libinput calls it one
        ioctl(uinput, UI_SET_KEYBIT, code);
    struct uinput_setup setup = {.id = {.bustype = BUS_USB, .vendor = 0x1234, .product = 0x5678}};
    snprintf(setup.name, sizeof setup.name, "rampart-vm-test keyboard");
    if (ioctl(uinput, UI_DEV_SETUP, &setup) < 0 || ioctl(uinput, UI_DEV_CREATE) < 0)
        die("creating the uinput device: %s", strerror(errno));

    char node[PATH_MAX];
    event_node(node, sizeof node);
    fprintf(stderr, "vm-type: %s created; waiting for process %s to open it\n", node, pid);
    for (long waited = 0; !has_open(pid, node); waited += 50) {
        if (waited > timeout_s * 1000)
            die("process %s did not open %s within %ld s", pid, node, timeout_s);
        sleep_ms(50);
    }
    fprintf(stderr, "vm-type: process %s has %s open\n", pid, node);
    sleep_ms(300); // let the compositor finish setting the keyboard up

    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        // Never echo what is typed: tests type passwords.
        fprintf(stderr, "vm-type: %s\n", !strncmp(line, "type ", 5) ? "type ..." : line);
        if (!strncmp(line, "type ", 5))
            type_text(line + 5);
        else if (!strncmp(line, "key ", 4))
            press(line + 4);
        else if (!strncmp(line, "sleep ", 6))
            sleep_ms(atol(line + 6));
        else if (line[0])
            die("unknown command \"%s\"", line);
    }
    sleep_ms(2000);
    ioctl(uinput, UI_DEV_DESTROY);
    return 0;
}
