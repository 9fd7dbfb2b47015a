#include "input/keyboard.hpp"

#include "input/input_manager.hpp"
#include "lock/lock_screen.hpp"
#include "overview.hpp"
#include "panel_list.hpp"
#include "server.hpp"
#include "util/log.hpp"

namespace rampart {

namespace {
// Lock modifiers never take part in matching a binding.
constexpr uint32_t ignored_modifiers = WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2;

struct KeymapDeleter {
    void operator()(xkb_keymap *keymap) const { xkb_keymap_unref(keymap); }
    void operator()(xkb_context *context) const { xkb_context_unref(context); }
};
} // namespace

Keyboard::Keyboard(InputManager &input_, wlr_input_device *device_)
    : input(input_), device(device_), wlr(device_->keyboard)
{
    if (!apply_config(input.server.config)) {
        // The config was checked at load, but fall back to the xkb default rather than
        // leave a keyboard without a keymap (that would break every client's keyboard).
        config::Config fallback;
        apply_config(fallback);
    }
    key_.connect(&wlr->events.key,
                 [this](void *data) { handle_key(static_cast<wlr_event_keyboard_key *>(data)); });
    modifiers_.connect(&wlr->events.modifiers, [this](void *) { handle_modifiers(); });
    destroy_.connect(&device->events.destroy, [this](void *) {
        auto &list = input.keyboards;
        for (auto it = list.begin(); it != list.end(); ++it)
            if (it->get() == this) {
                list.erase(it); // destroys this; nothing may touch members after
                return;
            }
    });
    wlr_seat_set_keyboard(input.server.seat, device);
}

Keyboard::~Keyboard()
{
    if (wlr_seat_get_keyboard(input.server.seat) == wlr)
        wlr_seat_set_keyboard(input.server.seat, nullptr);
}

bool Keyboard::apply_config(const config::Config &config)
{
    const config::KeyboardConfig &k = config.keyboard;
    xkb_rule_names names{};
    names.rules = k.rules.empty() ? nullptr : k.rules.c_str();
    names.model = k.model.empty() ? nullptr : k.model.c_str();
    names.layout = k.layout.empty() ? nullptr : k.layout.c_str();
    names.variant = k.variant.empty() ? nullptr : k.variant.c_str();
    names.options = k.options.empty() ? nullptr : k.options.c_str();
    std::unique_ptr<xkb_context, KeymapDeleter> context(xkb_context_new(XKB_CONTEXT_NO_FLAGS));
    if (!context)
        return false;
    std::unique_ptr<xkb_keymap, KeymapDeleter> keymap(
        xkb_keymap_new_from_names(context.get(), &names, XKB_KEYMAP_COMPILE_NO_FLAGS));
    if (!keymap) {
        log::error("keyboard: xkb could not compile layout \"%s\" variant \"%s\" options \"%s\"",
                   k.layout.c_str(), k.variant.c_str(), k.options.c_str());
        return false;
    }
    wlr_keyboard_set_keymap(wlr, keymap.get());
    wlr_keyboard_set_repeat_info(wlr, k.repeat_rate, k.repeat_delay);

    resolve_trusted_keys(config.panel);
    binding_storage_ = config.bindings;
    bindings_.clear();
    for (const config::Binding &binding : binding_storage_) {
        xkb_keysym_t keysym =
            xkb_keysym_from_name(binding.key.c_str(), XKB_KEYSYM_CASE_INSENSITIVE);
        if (keysym == XKB_KEY_NoSymbol) {
            log::warning("binding: unknown key name \"%s\"", binding.key.c_str());
            continue;
        }
        bindings_.push_back({binding.modifiers, xkb_keysym_to_lower(keysym), &binding});
    }
    return true;
}

void Keyboard::next_layout()
{
    xkb_layout_index_t count = xkb_keymap_num_layouts(wlr->keymap);
    if (count < 2)
        return;
    xkb_layout_index_t next = (wlr->modifiers.group + 1) % count;
    wlr_keyboard_notify_modifiers(wlr, wlr->modifiers.depressed, wlr->modifiers.latched,
                                  wlr->modifiers.locked, next);
    input.server.events.emit(
        "layout", {{"name", std::string(xkb_keymap_layout_get_name(wlr->keymap, next))}});
}

std::vector<uint32_t> Keyboard::keys_for_clients() const
{
    std::vector<uint32_t> keys;
    for (size_t i = 0; i < wlr->num_keycodes; ++i) {
        uint32_t code = wlr->keycodes[i];
        bool held = std::any_of(held_.begin(), held_.end(),
                                [code](const HeldKey &k) { return k.keycode == code; });
        if (!consumed_keys_.count(code) && !held)
            keys.push_back(code);
    }
    return keys;
}

wlr_keyboard_modifiers Keyboard::modifiers_for_clients() const
{
    wlr_keyboard_modifiers modifiers = wlr->modifiers;
    // While keys are held back every pressed key is one of them (any other key flushes
    // them), so the depressed modifiers are theirs: not shown until they are delivered.
    if (!held_.empty())
        modifiers.depressed = 0;
    return modifiers;
}

void Keyboard::resolve_trusted_keys(const config::PanelConfig &panel)
{
    auto resolve = [](const config::Binding &key) {
        return xkb_keysym_to_lower(
            xkb_keysym_from_name(key.key.c_str(), XKB_KEYSYM_CASE_INSENSITIVE));
    };
    secure_attention_ = {resolve(panel.secure_attention_key), panel.secure_attention_key.modifiers};
    if (secure_attention_.keysym == XKB_KEY_NoSymbol) {
        // Fail closed: a desktop must never be left without its secure attention key.
        log::security_event(log::Level::error, "7d1c0a5e2b9f4c3e8a6d5b4c3a2f1e05",
                            "unknown secure attention key \"" + panel.secure_attention_key.key +
                                "\"; using Ctrl+Alt+Delete");
        secure_attention_ = {XKB_KEY_Delete, WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT};
    }
    xray_ = {resolve(panel.xray_key), panel.xray_key.modifiers};
    if (xray_.keysym == XKB_KEY_NoSymbol)
        log::error("unknown X-ray key \"%s\"; X-ray is off", panel.xray_key.key.c_str());
}

bool Keyboard::handle_trusted_keys(xkb_keycode_t keycode)
{
    Server &server = input.server;
    uint32_t modifiers = wlr_keyboard_get_modifiers(wlr) & ~ignored_modifiers;
    xkb_keysym_t lower = xkb_keysym_to_lower(xkb_state_key_get_one_sym(wlr->xkb_state, keycode));
    auto matches = [&](const TrustedKey &key, bool exact_modifiers) {
        if (key.keysym == XKB_KEY_NoSymbol || key.keysym != lower)
            return false;
        return exact_modifiers ? modifiers == key.modifiers
                               : (modifiers & key.modifiers) == key.modifiers;
    };
    // The secure attention key is always Rampart's: no client can ask for it, and no client
    // can inhibit it (keyboard-shortcuts-inhibit is not offered to level clients). Extra
    // modifiers held do not hide it.
    bool secure_attention = matches(secure_attention_, false);
    if (secure_attention) {
        server.events.emit("secure_attention");
        server.overview->open(Overview::Mode::interactive);
        return true;
    }
    if (server.panel_list->is_open() && lower == XKB_KEY_Escape) {
        server.panel_list->close();
        return true;
    }
    if (server.overview->mode() == Overview::Mode::interactive) {
        server.overview->handle_key(lower);
        return true; // while the overview is open, every key is Rampart's
    }
    if (matches(xray_, true) && !server.overview->is_open()) {
        server.overview->open(Overview::Mode::xray);
        return true;
    }
    return false;
}

bool Keyboard::run_binding(xkb_keycode_t keycode, uint32_t modifiers)
{
    modifiers &= ~ignored_modifiers;
    // Match on the unshifted symbol of the current layout, so "Super+Shift+q" works.
    xkb_layout_index_t layout = xkb_state_key_get_layout(wlr->xkb_state, keycode);
    const xkb_keysym_t *syms = nullptr;
    int count = xkb_keymap_key_get_syms_by_level(wlr->keymap, keycode, layout, 0, &syms);
    for (int i = 0; i < count; ++i) {
        xkb_keysym_t sym = xkb_keysym_to_lower(syms[i]);
        for (const ResolvedBinding &resolved : bindings_) {
            if (resolved.keysym != sym || resolved.modifiers != modifiers)
                continue;
            // Copy: running an action (reload) may replace the binding table.
            config::Binding binding = *resolved.binding;
            input.server.run_action(binding.action, binding.argument, this);
            return true;
        }
    }
    return false;
}

void Keyboard::consume_held_keys()
{
    for (size_t i = 0; i < wlr->num_keycodes; ++i)
        consumed_keys_.insert(wlr->keycodes[i]);
    held_.clear(); // held-back modifier presses are never delivered now
    held_modifiers_ = false;
}

bool Keyboard::is_virtual() const
{
    return wlr_input_device_get_virtual_keyboard(device);
}

void Keyboard::handle_key(wlr_event_keyboard_key *event)
{
    Server &server = input.server;
    xkb_keycode_t keycode = event->keycode + 8;
    bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;

    if (!is_virtual())
        input.note_activity();
    if (server.locked()) {
        // Every key is the lock screen's; a virtual keyboard's are nobody's.
        if (!pressed) {
            consumed_keys_.erase(event->keycode);
            return;
        }
        consumed_keys_.insert(event->keycode);
        if (!is_virtual())
            server.lock_screen->handle_key(wlr->xkb_state, keycode);
        return;
    }

    if (!pressed && consumed_keys_.erase(event->keycode)) {
        // The press was the compositor's, so is the release. X-ray lasts while held.
        if (server.overview->mode() == Overview::Mode::xray)
            server.overview->close();
        return;
    }
    if (pressed) {
        server.note_user_typed();
        if (handle_trusted_keys(keycode)) {
            consumed_keys_.insert(event->keycode);
            if (server.overview->mode() == Overview::Mode::interactive) {
                // The secure attention key completed: its held modifiers are never shown.
                for (const HeldKey &held : held_)
                    consumed_keys_.insert(held.keycode);
                held_.clear();
                held_modifiers_ = false;
            }
            return;
        }
        if (run_binding(keycode, wlr_keyboard_get_modifiers(wlr))) {
            consumed_keys_.insert(event->keycode);
            return;
        }
        if (may_start_secure_attention(keycode)) {
            held_.push_back({event->time_msec, event->keycode});
            return;
        }
    }
    // Anything else decides it: what was held goes out first, in order.
    flush_held_keys();
    wlr_seat_set_keyboard(server.seat, device);
    wlr_seat_keyboard_notify_key(server.seat, event->time_msec, event->keycode, event->state);
}

bool Keyboard::may_start_secure_attention(xkb_keycode_t keycode) const
{
    uint32_t wanted = secure_attention_.modifiers;
    xkb_layout_index_t layout = xkb_state_key_get_layout(wlr->xkb_state, keycode);
    const xkb_keysym_t *syms = nullptr;
    int count = xkb_keymap_key_get_syms_by_level(wlr->keymap, keycode, layout, 0, &syms);
    for (int i = 0; i < count; ++i) {
        switch (syms[i]) {
        case XKB_KEY_Control_L:
        case XKB_KEY_Control_R: return wanted & WLR_MODIFIER_CTRL;
        case XKB_KEY_Alt_L:
        case XKB_KEY_Alt_R:
        case XKB_KEY_Meta_L:
        case XKB_KEY_Meta_R: return wanted & WLR_MODIFIER_ALT;
        case XKB_KEY_Super_L:
        case XKB_KEY_Super_R: return wanted & WLR_MODIFIER_LOGO;
        case XKB_KEY_Shift_L:
        case XKB_KEY_Shift_R: return wanted & WLR_MODIFIER_SHIFT;
        default: break;
        }
    }
    return false;
}

void Keyboard::flush_held_keys()
{
    if (held_.empty() && !held_modifiers_)
        return;
    Server &server = input.server;
    wlr_seat_set_keyboard(server.seat, device);
    for (const HeldKey &held : held_)
        wlr_seat_keyboard_notify_key(server.seat, held.time_msec, held.keycode,
                                     WL_KEYBOARD_KEY_STATE_PRESSED);
    held_.clear();
    if (held_modifiers_)
        wlr_seat_keyboard_notify_modifiers(server.seat, &wlr->modifiers);
    held_modifiers_ = false;
}

void Keyboard::handle_modifiers()
{
    Server &server = input.server;
    uint32_t now = wlr_keyboard_get_modifiers(wlr);
    // Releasing Alt ends an Alt+Tab cycle.
    if ((previous_modifiers_ & WLR_MODIFIER_ALT) && !(now & WLR_MODIFIER_ALT))
        server.end_focus_cycle();
    previous_modifiers_ = now;
    server.schedule_panel_update(); // Caps Lock and the layout show on the panel
    if (server.locked()) {
        server.lock_screen->keyboard_changed();
        return; // no client has the keyboard
    }
    if (!held_.empty()) {
        held_modifiers_ = true; // goes out with the held presses, or never
        return;
    }
    wlr_seat_set_keyboard(server.seat, device);
    wlr_seat_keyboard_notify_modifiers(server.seat, &wlr->modifiers);
}

} // namespace rampart
