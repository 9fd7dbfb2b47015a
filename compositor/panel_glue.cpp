// The panel's model, built from the server's state, and when it is redrawn: after any
// change that shows on it (coalesced into one update per loop iteration), when the clock's
// displayed text changes, and during the short flash that marks a change of focused level.
#include "frame.hpp"
#include "input/input_manager.hpp"
#include "input/keyboard.hpp"
#include "output.hpp"
#include "panel_list.hpp"
#include "panel_view.hpp"
#include "policy/title_sanitizer.hpp"
#include "server.hpp"
#include "view.hpp"

#include <ctime>

namespace rampart {

namespace {

panel::LevelStyle style_of(const FrameIdentity &identity, const std::string &id)
{
    return {id, identity.name, identity.glyph, identity.colour, identity.text, identity.pattern};
}

// Whether the format shows seconds: then the clock ticks every second, else every minute.
bool shows_seconds(const std::string &format)
{
    for (const char *code : {"%S", "%T", "%r", "%X", "%s", "%c"})
        if (format.find(code) != std::string::npos)
            return true;
    return false;
}

} // namespace

panel::PanelModel Server::panel_model() const
{
    panel::PanelModel model;
    for (size_t i = 0; i < config.levels.levels.size(); ++i)
        model.levels.push_back(
            style_of(identity_for_level(static_cast<int>(i)), config.levels.levels[i].id));
    model.trusted = style_of(identity_for_level(trusted_level), "rampart");
    // Grouped by level in rank order (Rampart's own first), each group in creation order.
    // unknown_level should not occur; if it does the panel shows it as "Unknown", never hides it.
    for (int level = unknown_level; level < static_cast<int>(config.levels.levels.size()); ++level)
        for (auto &view : views)
            if (view->mapped() && view->level() == level)
                model.windows.push_back({view->id, level, view->title(), view.get() == focused_});
    if (focused_)
        model.focused_level = focused_->level();
    model.security_phrase = policy::sanitize_title(config.panel.security_phrase).text;
    if (!input->keyboards.empty()) {
        wlr_keyboard *keyboard = input->keyboards.front()->wlr;
        if (keyboard->keymap) {
            const char *name =
                xkb_keymap_layout_get_name(keyboard->keymap, keyboard->modifiers.group);
            model.layout_name = name ? name : "";
            model.caps_lock = xkb_state_mod_name_is_active(keyboard->xkb_state, XKB_MOD_NAME_CAPS,
                                                           XKB_STATE_MODS_LOCKED) > 0;
        }
    }
    char clock[64] = "";
    time_t now = time(nullptr);
    tm local{};
    localtime_r(&now, &local);
    if (strftime(clock, sizeof clock, config.panel.clock_format.c_str(), &local) == 0)
        clock[0] = '\0';
    model.clock_text = clock;
    model.flash = flash_;
    return model;
}

void Server::schedule_panel_update()
{
    if (panel_update_idle_ || !loop || tearing_down_)
        return;
    // Kept so teardown can remove it: an idle source left behind would run on a dead Server.
    panel_update_idle_ = wl_event_loop_add_idle(
        loop,
        [](void *data) {
            auto *server = static_cast<Server *>(data);
            server->panel_update_idle_ = nullptr; // libwayland frees it after this call
            server->update_panels();
        },
        this);
}

void Server::update_panels()
{
    panel::PanelModel model = panel_model();
    for (auto &output : outputs)
        if (output->panel)
            output->panel->update(model);
}

void Server::panel_clicked(const panel::Hit &hit, uint32_t button, const wm::Box &entry_box)
{
    auto find = [this](uint64_t id) -> View * {
        for (auto &view : views)
            if (view->id == id && view->mapped())
                return view.get();
        return nullptr;
    };
    switch (hit.kind) {
    case panel::HitKind::window:
        if (View *view = find(hit.window_id)) {
            if (button == BTN_MIDDLE)
                view->close();
            else
                focus_view(view);
        }
        break;
    case panel::HitKind::overflow:
        // "+N": a list of the windows it stands for.
        if (hit.item && !hit.item->hidden.empty())
            panel_list->open(entry_box, hit.item->hidden);
        break;
    case panel::HitKind::lock_button: run_action(config::Action::lock, "", nullptr); break;
    default: break;
    }
    events.emit("panel_click", {{"kind", static_cast<int64_t>(hit.kind)},
                                {"window", static_cast<int64_t>(hit.window_id)}});
}

void Server::start_panel_clock()
{
    clock_timer_ = wl_event_loop_add_timer(
        loop,
        [](void *data) {
            auto *server = static_cast<Server *>(data);
            server->update_panels();
            server->arm_panel_clock();
            return 0;
        },
        this);
    arm_panel_clock();
}

void Server::arm_panel_clock()
{
    // Fire just after the displayed text changes: the next second or the next minute.
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    long period_ms = shows_seconds(config.panel.clock_format) ? 1000 : 60000;
    long into_period = (now.tv_sec % (period_ms / 1000)) * 1000 + now.tv_nsec / 1000000;
    wl_event_source_timer_update(clock_timer_, static_cast<int>(period_ms - into_period + 20));
}

void Server::start_level_flash()
{
    flash_ = 1.0f;
    if (!flash_timer_)
        flash_timer_ = wl_event_loop_add_timer(
            loop,
            [](void *data) {
                auto *server = static_cast<Server *>(data);
                server->flash_ = std::max(0.0f, server->flash_ - 0.25f);
                server->update_panels();
                if (server->flash_ > 0)
                    wl_event_source_timer_update(server->flash_timer_, 60);
                return 0;
            },
            this);
    wl_event_source_timer_update(flash_timer_, 60);
    schedule_panel_update();
}

} // namespace rampart
