// What the lock screen shows: the view model from the state machine and the session, and
// one buffer per output painted by lockscreen/lock_view.
#include "lock/lock_screen.hpp"

#include "output.hpp"
#include "panel/layout.hpp"
#include "server.hpp"

#include <cmath>
#include <ctime>
#include <pwd.h>
#include <unistd.h>

namespace rampart {

namespace {
// The login name, and the GECOS full name (may be empty); false when the uid has no entry.
bool account_names(std::string &login, std::string &full)
{
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::string buffer(size > 0 ? static_cast<std::size_t>(size) : 16384, '\0');
    passwd entry{}, *found = nullptr;
    if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
        return false;
    login = found->pw_name ? found->pw_name : "";
    full = found->pw_gecos ? found->pw_gecos : "";
    return true;
}

std::string session_user_name()
{
    std::string name = "user " + std::to_string(getuid());
    std::string login, gecos;
    if (account_names(login, gecos)) {
        name = login;
        // The GECOS full name, when there is one, reads better; the login name stays too.
        gecos = gecos.substr(0, gecos.find(','));
        if (!gecos.empty() && gecos != name)
            name = gecos + " (" + name + ")";
    }
    return name;
}

std::string format_time(const char *format)
{
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[128];
    std::size_t length = std::strftime(text, sizeof text, format, &local);
    return std::string(text, length);
}
} // namespace

std::string LockScreen::login_name()
{
    std::string login, full;
    return account_names(login, full) ? login : std::string();
}

std::string LockScreen::lookup_user_name()
{
    return session_user_name();
}

void LockScreen::draw(Output &output)
{
    auto found = outputs_.find(&output);
    if (found == outputs_.end())
        return;
    OutputLock &entry = found->second;
    wm::Box box = output.layout_box();
    float scale = output.wlr->scale;
    int width = static_cast<int>(std::lround(box.width * scale));
    int height = static_cast<int>(std::lround(box.height * scale));
    if (width <= 0 || height <= 0)
        return;
    lockscreen::LockViewModel model = view_model();
    if (model == entry.drawn && width == entry.width && height == entry.height &&
        scale == entry.scale) {
        entry.image->set_position(box.x, box.y);
        return;
    }
    entry.image->draw(
        box.x, box.y, width, height,
        [&](cairo_t *cr) { lockscreen::render_lock_screen(cr, model, width, height, scale); },
        box.width, box.height);
    entry.drawn = std::move(model);
    entry.width = width;
    entry.height = height;
    entry.scale = scale;
}

void LockScreen::redraw_all()
{
    for (auto &[output, entry] : outputs_)
        draw(*output);
}

lockscreen::LockViewModel LockScreen::view_model() const
{
    using lockscreen::Phase;
    lockscreen::LockViewModel model;
    model.clock_text = format_time("%H:%M");
    model.date_text = format_time("%A %e %B");
    model.user_name = user_name_;
    model.security_phrase = server_.config.panel.security_phrase;
    model.prompt = controller_.prompt_text();
    model.prompt_visible = controller_.prompt_visible();
    model.visible_answer = controller_.visible_answer();
    model.typed_count = controller_.typed_count();
    model.show_length = server_.config.lock.show_length;
    model.input_enabled = controller_.input_enabled();
    if (wlr_keyboard *keyboard = wlr_seat_get_keyboard(server_.seat);
        keyboard && keyboard->keymap) {
        const char *name = xkb_keymap_layout_get_name(keyboard->keymap, keyboard->modifiers.group);
        model.layout_name = panel::short_layout_name(name ? name : "");
        model.caps_lock = xkb_state_mod_name_is_active(keyboard->xkb_state, XKB_MOD_NAME_CAPS,
                                                       XKB_STATE_MODS_EFFECTIVE) > 0;
    }
    const std::string &message = controller_.message();
    model.message = message;
    model.message_kind = message.empty()                  ? lockscreen::MessageKind::none
                         : controller_.message_is_error() ? lockscreen::MessageKind::error
                         : message == "Checking..."       ? lockscreen::MessageKind::progress
                                                          : lockscreen::MessageKind::info;
    unsigned wait = controller_.seconds_to_wait(now());
    if (wait > 0)
        model.backoff_text =
            (controller_.phase() == Phase::backoff ? "Too many failed attempts. Try again in "
                                                   : "Retrying in ") +
            std::to_string(wait) + " s";
    model.failed_attempts = controller_.failures();
    switch (controller_.phase()) {
    case Phase::prompting: model.hint = "Type your answer and press Enter"; break;
    case Phase::starting: model.hint = "Connecting to the authentication service..."; break;
    case Phase::securing: model.hint = "Locking your encrypted storage..."; break;
    case Phase::broker_down:
        model.hint = "The screen stays locked until authentication is available";
        break;
    default: break;
    }
    return model;
}

} // namespace rampart
