// Focus rules as pure functions: who may take keyboard focus, and when.
#pragma once

namespace rampart::wm {

// A window that maps while the user is typing into another one must not take the keyboard.
inline bool new_window_takes_focus(bool user_typing, bool something_focused)
{
    return !(user_typing && something_focused);
}

// xdg-activation: a request backed by the focused client (the user is working with it) is
// honoured; any other request is refused while the user is typing into another window.
inline bool allow_activation(bool token_from_focused_client, bool user_typing,
                             bool something_focused)
{
    if (!something_focused || token_from_focused_client)
        return true;
    return !user_typing;
}

} // namespace rampart::wm
