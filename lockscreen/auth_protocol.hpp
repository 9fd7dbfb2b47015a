// The framed protocol between rampart (the lock screen) and rampart-authd (the broker).
// Documented in docs/auth-protocol.md. Pure: no wlroots, no PAM; both sides use it.
//
// Frame: u32 payload length (little-endian, <= max_payload), u8 type, payload. Every payload
// starts with the u32 attempt id the compositor chose in `start`. Strings are u16 length +
// UTF-8 bytes (valid UTF-8, no control characters other than '\n'; <= max_text bytes).
// A frame that breaks any rule is malformed: the reader ends the connection.
#pragma once

#include "secret_buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rampart::auth {

inline constexpr std::size_t header_size = 5;
inline constexpr std::size_t max_payload = 2048;
inline constexpr std::size_t max_text = 1024;  // prompts, info, error, result messages
inline constexpr std::size_t max_secret = 512; // one answer

enum class Type : std::uint8_t {
    start = 1,        // rampart -> authd: begin one check (u8 method)
    prompt = 2,       // authd -> rampart: ask the user (u8 style, string text)
    answer = 3,       // rampart -> authd: what the user typed (u16 length + bytes; may be empty)
    info = 4,         // authd -> rampart: show a message (string)
    error = 5,        // authd -> rampart: show an error message (string)
    result = 6,       // authd -> rampart: the end of the check (u8 status, u32 delay ms, string)
    cancel = 7,       // rampart -> authd: abandon the current check (no payload beyond the id)
    storage = 8,      // rampart -> authd: a storage request (u8 op); id in the attempt field
    storage_done = 9, // authd -> rampart: its answer (u8 ok, string text)
    event = 10,       // authd -> rampart, between requests: something happened (u8 kind, string)
};

// password: PAM only; token: an enrolled smartcard's PIN only; automatic: the broker picks
// (an enrolled token present: its PIN; else the password through PAM, then the volumes).
enum class Method : std::uint8_t { password = 1, token = 2, automatic = 3 };
enum class StorageOp : std::uint8_t {
    lock = 1,   // the screen is locked: apply each volume's on_lock policy (keep or suspend)
    status = 2, // describe the volumes, their state and enrolled tokens (for rampartctl)
};
enum class EventKind : std::uint8_t {
    token_removed = 1, // the token that unlocked the session is gone (card_removal policy)
};
enum class PromptStyle : std::uint8_t { secret = 1, visible = 2 };

enum class Status : std::uint8_t {
    success = 0,     // the only status that unlocks
    denied = 1,      // wrong secret
    unavailable = 2, // authentication could not run (PAM broken, misconfigured, ...)
    expired = 3,     // right secret, but the account or password has expired
    cancelled = 4,   // the compositor cancelled, or the conversation was abandoned
};

struct Start {
    std::uint32_t attempt = 0;
    Method method = Method::password;
};
struct Prompt {
    std::uint32_t attempt = 0;
    PromptStyle style = PromptStyle::secret;
    std::string text;
};
struct Notice { // info or error
    std::uint32_t attempt = 0;
    bool is_error = false;
    std::string text;
};
struct Result {
    std::uint32_t attempt = 0;
    Status status = Status::denied;
    std::uint32_t delay_ms = 0; // a failure delay the PAM stack asked for (PAM_FAIL_DELAY)
    std::string text;           // for the user; may be empty
};
struct Cancel {
    std::uint32_t attempt = 0;
};
struct StorageRequest {
    std::uint32_t attempt = 0; // a request id, like an attempt's
    StorageOp op = StorageOp::status;
};
struct StorageDone {
    std::uint32_t attempt = 0;
    bool ok = false;
    std::string text; // for the user (lock) or rampartctl (status); lines separated by '\n'
};
struct Event {
    std::uint32_t attempt = 0; // 0: not tied to a request
    EventKind kind = EventKind::token_removed;
    std::string text;
};
// An answer as decoded: the secret is in the Decoder's own SecretBuffer (answer_secret()),
// valid until the next call to next(); never in this struct.
struct AnswerReceived {
    std::uint32_t attempt = 0;
};

using Message = std::variant<Start, Prompt, Notice, Result, Cancel, AnswerReceived, StorageRequest,
                             StorageDone, Event>;

// Encoding of everything except answers: plain bytes, nothing secret.
std::vector<std::uint8_t> encode(const Start &message);
std::vector<std::uint8_t> encode(const Prompt &message);
std::vector<std::uint8_t> encode(const Notice &message);
std::vector<std::uint8_t> encode(const Result &message);
std::vector<std::uint8_t> encode(const Cancel &message);
std::vector<std::uint8_t> encode(const StorageRequest &message);
std::vector<std::uint8_t> encode(const StorageDone &message);
std::vector<std::uint8_t> encode(const Event &message);
// An answer is framed straight into `out` (cleared first; capacity >= header + 4 + 2 +
// max_secret) so the secret is never in ordinary memory. False when the secret is too long.
bool encode_answer(std::uint32_t attempt, std::span<const char> secret, secure::SecretBuffer &out);

// Makes text safe to put in a frame: invalid UTF-8 replaced, control characters other than
// '\n' dropped, cut to max_text bytes on a code point boundary. For PAM's messages.
std::string sanitize_text(std::string_view text);

// Reads frames from a byte stream. Its buffer is a SecretBuffer (answers pass through it) and
// each consumed frame is wiped from it.
class Decoder {
public:
    Decoder();
    // Appends received bytes; false (and the decoder is failed) when they overflow a frame.
    bool feed(std::span<const std::uint8_t> bytes);
    // The next complete message, std::nullopt when more bytes are needed. After a malformed
    // frame, failed() is true and next() returns std::nullopt forever.
    std::optional<Message> next();
    bool failed() const { return failed_; }
    const std::string &failure() const { return failure_; } // why, for the log (never secret)
    // The secret of the last AnswerReceived returned by next().
    std::span<const char> answer_secret() const { return secret_.view(); }
    void wipe_answer() { secret_.clear(); }

private:
    secure::SecretBuffer buffer_;
    secure::SecretBuffer secret_;
    bool failed_ = false;
    std::string failure_;
};

} // namespace rampart::auth
