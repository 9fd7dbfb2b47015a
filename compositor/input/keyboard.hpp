// One keyboard: its keymap from config, key bindings, and keys the compositor consumed.
#pragma once

#include "config/config.hpp"
#include "listener.hpp"
#include "wlr.hpp"

#include <set>
#include <vector>

namespace rampart {

class Server;
class InputManager;

class Keyboard {
public:
    Keyboard(InputManager &input, wlr_input_device *device);
    ~Keyboard();
    Keyboard(const Keyboard &) = delete;
    Keyboard &operator=(const Keyboard &) = delete;

    // Compiles the keymap from config; on an xkb error keeps the old keymap and logs it.
    bool apply_config(const config::Config &config);
    void next_layout();
    // Keys held now that a client may be told about in wl_keyboard.enter: the ones the
    // compositor consumed (bindings, later the lock screen) are left out.
    std::vector<uint32_t> keys_for_clients() const;
    // Delivers held modifier presses now (a pointer button or scroll needs them).
    void flush_held_keys();
    // Marks every key pressed now as the compositor's: its release never reaches a client
    // (used when the screen locks and when it unlocks).
    void consume_held_keys();
    // A trusted client's virtual keyboard (ignored while the screen is locked).
    bool is_virtual() const;
    // The modifier state a client may be told about: without held-back modifiers.
    wlr_keyboard_modifiers modifiers_for_clients() const;

    InputManager &input;
    wlr_input_device *device;
    wlr_keyboard *wlr;

private:
    void handle_key(wlr_event_keyboard_key *event);
    void handle_modifiers();
    bool run_binding(xkb_keycode_t keycode, uint32_t modifiers);
    // The secure attention key, the overview's keys and X-ray; true if consumed.
    bool handle_trusted_keys(xkb_keycode_t keycode);
    // The secure attention and X-ray keys, resolved once per config (not per key press).
    struct TrustedKey {
        xkb_keysym_t keysym = XKB_KEY_NoSymbol;
        uint32_t modifiers = 0;
    };
    void resolve_trusted_keys(const config::PanelConfig &panel);
    TrustedKey secure_attention_, xray_;

    struct ResolvedBinding {
        uint32_t modifiers;
        xkb_keysym_t keysym;
        const config::Binding *binding;
    };
    std::vector<ResolvedBinding> bindings_;
    std::vector<config::Binding> binding_storage_;
    std::set<uint32_t> consumed_keys_; // their releases must not reach a client either
    // Presses of the secure attention key's modifiers, held back while they may still
    // become that key: if it completes, no client ever sees them.
    bool may_start_secure_attention(xkb_keycode_t keycode) const;
    struct HeldKey {
        uint32_t time_msec, keycode;
    };
    std::vector<HeldKey> held_;
    bool held_modifiers_ = false;
    uint32_t previous_modifiers_ = 0;

    Listener key_, modifiers_, destroy_;
};

} // namespace rampart
