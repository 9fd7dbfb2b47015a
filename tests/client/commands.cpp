// Line commands on stdin (--stdin). Each line is one command; errors are reported on
// stderr (and as a "command_error" event with --log) without stopping the client.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "client.hpp"
#include "seat.hpp"
#include "window.hpp"

namespace rampart::test_client {

namespace {

// Splits off the first space-separated word of `rest`.
std::string_view next_word(std::string_view &rest)
{
    auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(start);
    auto end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return word;
}

} // namespace

void Client::read_stdin()
{
    char chunk[4096];
    ssize_t got = read(STDIN_FILENO, chunk, sizeof chunk);
    if (got <= 0) {
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        // EOF: no more commands, but keep running until told or closed otherwise.
        stdin_open_ = false;
        return;
    }
    stdin_buffer_.append(chunk, size_t(got));
    size_t newline;
    while ((newline = stdin_buffer_.find('\n')) != std::string::npos && !exit_code_) {
        std::string line = stdin_buffer_.substr(0, newline);
        stdin_buffer_.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        run_command(line);
    }
}

Window *Client::window_by_index(std::string_view text)
{
    auto index = parse_int(text);
    return index ? find_window(int(*index)) : nullptr;
}

void Client::run_command(std::string_view line)
{
    std::string_view rest = line;
    std::string_view command = next_word(rest);
    std::string error;
    auto report = [&](const std::string &message) {
        std::fprintf(stderr, "rampart-test-client: command '%.*s': %s\n", int(line.size()),
                     line.data(), message.c_str());
        log(JsonLine("command_error").str("command", line).str("error", message));
    };
    if (command.empty())
        return;
    if (command == "quit") {
        exit(0);
        return;
    }
    if (command == "sync") {
        request_sync(std::string(next_word(rest)));
        return;
    }
    if (command == "activate-token" || command == "activate-token-without-serial") {
        std::string_view index = next_word(rest);
        Window *window =
            index.empty() ? (seat_ ? seat_->focused_window() : nullptr) : window_by_index(index);
        if (!index.empty() && !window)
            return report("no such window");
        request_activation_token(window, command == "activate-token");
        return;
    }

    // Everything else addresses a window first.
    Window *window = window_by_index(next_word(rest));
    if (!window)
        return report("no such window");
    if (command == "title") {
        window->set_title(std::string(rest));
    } else if (command == "fullscreen" || command == "unfullscreen") {
        window->set_fullscreen(command == "fullscreen");
    } else if (command == "maximize" || command == "unmaximize") {
        window->set_maximized(command == "maximize");
    } else if (command == "color") {
        auto color = parse_color(next_word(rest));
        if (!color)
            return report("bad colour, want RRGGBB");
        window->set_color(*color);
    } else if (command == "resize") {
        auto size = parse_size(next_word(rest));
        if (!size)
            return report("bad size, want WxH");
        if (auto message = check_buffer_size(*size); !message.empty())
            return report(message);
        window->resize(*size);
    } else if (command == "activate") {
        std::string_view token = next_word(rest);
        if (token.empty())
            return report("missing token");
        if (!globals_.activation)
            return report("compositor has no xdg_activation_v1");
        xdg_activation_v1_activate(globals_.activation.get(), std::string(token).c_str(),
                                   window->surface());
    } else if (command == "close") {
        window_closed(*window);
    } else {
        report("unknown command");
    }
}

void Client::request_activation_token(Window *window, bool with_serial)
{
    if (!globals_.activation) {
        std::fprintf(stderr, "rampart-test-client: compositor has no xdg_activation_v1\n");
        log(JsonLine("command_error")
                .str("command", "activate-token")
                .str("error", "compositor has no xdg_activation_v1"));
        return;
    }
    static const xdg_activation_token_v1_listener listener = {
        .done = &Client::handle_token_done,
    };
    xdg_activation_token_v1_ptr token(
        xdg_activation_v1_get_activation_token(globals_.activation.get()));
    xdg_activation_token_v1_add_listener(token.get(), &listener, this);
    // Serial, seat and surface let the compositor judge whether the request is legitimate
    // (sway only honours tokens tied to a recent input event of a focused surface).
    // Without a serial the compositor has only its own rules to go by (tests use this).
    if (with_serial && seat_ && seat_->last_serial())
        xdg_activation_token_v1_set_serial(token.get(), seat_->last_serial(), seat_->seat());
    if (window)
        xdg_activation_token_v1_set_surface(token.get(), window->surface());
    xdg_activation_token_v1_set_app_id(token.get(), options_.app_id.c_str());
    xdg_activation_token_v1_commit(token.get());
    pending_tokens_.push_back(std::move(token));
}

void Client::handle_token_done(void *data, xdg_activation_token_v1 *token, const char *text)
{
    auto *self = static_cast<Client *>(data);
    // Printed even without --log: it is the command's answer.
    JsonLine("activation_token").str("token", text).print();
    std::erase_if(self->pending_tokens_, [token](const auto &t) { return t.get() == token; });
}

void Client::request_sync(std::string tag)
{
    static const wl_callback_listener listener = {.done = &Client::handle_sync_done};
    auto sync = std::make_unique<PendingSync>();
    sync->tag = std::move(tag);
    sync->callback.reset(wl_display_sync(display_.get()));
    wl_callback_add_listener(sync->callback.get(), &listener, this);
    pending_syncs_.push_back(std::move(sync));
}

void Client::handle_sync_done(void *data, wl_callback *callback, uint32_t)
{
    auto *self = static_cast<Client *>(data);
    // A roundtrip after the preceding commands: everything they caused was received first.
    auto it = std::find_if(self->pending_syncs_.begin(), self->pending_syncs_.end(),
                           [callback](const auto &s) { return s->callback.get() == callback; });
    if (it == self->pending_syncs_.end())
        return;
    JsonLine("sync").str("tag", (*it)->tag).print();
    self->pending_syncs_.erase(it);
}

} // namespace rampart::test_client
