#include "auth_protocol.hpp"

#include <cstring>

namespace rampart::auth {
namespace {

constexpr std::size_t max_frame = header_size + max_payload;
// Room for one partial frame plus one full read (callers read at most max_frame bytes at a
// time and drain next() before feeding again).
constexpr std::size_t buffer_capacity = 2 * max_frame;

// ---- UTF-8 ----

// Length of the valid UTF-8 sequence at text[0], 0 when it is invalid (overlong, surrogate,
// beyond U+10FFFF, truncated). Writes the code point.
std::size_t decode_utf8(std::string_view text, char32_t &code_point)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        code_point = lead;
        return 1;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2, minimum = 0x80, code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, minimum = 0x800, code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, minimum = 0x10000, code_point = lead & 0x07;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80)
            return 0;
        code_point = (code_point << 6) | (byte(i) & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF))
        return 0;
    return length;
}

bool is_control(char32_t code_point)
{
    return (code_point < 0x20 && code_point != '\n') || (code_point >= 0x7F && code_point < 0xA0);
}

// Why `text` may not be put in a frame, nullptr when it may.
const char *text_problem(std::string_view text)
{
    if (text.size() > max_text)
        return "text too long";
    for (std::size_t at = 0; at < text.size();) {
        char32_t code_point = 0;
        const std::size_t length = decode_utf8(text.substr(at), code_point);
        if (length == 0)
            return "invalid UTF-8 in text";
        if (is_control(code_point))
            return "control character in text";
        at += length;
    }
    return nullptr;
}

// ---- encoding ----

class FrameWriter {
public:
    explicit FrameWriter(Type type) : bytes_(header_size, 0)
    {
        bytes_[4] = static_cast<std::uint8_t>(type);
    }
    void u8(std::uint8_t value) { bytes_.push_back(value); }
    void u16(std::uint16_t value)
    {
        u8(static_cast<std::uint8_t>(value));
        u8(static_cast<std::uint8_t>(value >> 8));
    }
    void u32(std::uint32_t value)
    {
        for (int shift = 0; shift < 32; shift += 8)
            u8(static_cast<std::uint8_t>(value >> shift));
    }
    // Text that breaks the rules is sanitised rather than sent broken: the reader would
    // otherwise end the connection over a cosmetic problem.
    void text(std::string_view value)
    {
        const std::string safe = text_problem(value) ? sanitize_text(value) : std::string(value);
        u16(static_cast<std::uint16_t>(safe.size()));
        bytes_.insert(bytes_.end(), safe.begin(), safe.end());
    }
    std::vector<std::uint8_t> finish()
    {
        const auto length = static_cast<std::uint32_t>(bytes_.size() - header_size);
        for (int i = 0; i < 4; ++i)
            bytes_[i] = static_cast<std::uint8_t>(length >> (8 * i));
        return std::move(bytes_);
    }

private:
    std::vector<std::uint8_t> bytes_;
};

// ---- decoding ----

// Reads one frame's payload; every read is bounds-checked and a failed read sticks.
class PayloadReader {
public:
    explicit PayloadReader(std::span<const char> payload) : payload_(payload) {}
    bool ok() const { return ok_; }
    bool at_end() const { return at_ == payload_.size(); }
    std::size_t remaining() const { return payload_.size() - at_; }
    std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(little_endian(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
    std::span<const char> bytes(std::size_t count)
    {
        if (!ok_ || remaining() < count) {
            ok_ = false;
            return {};
        }
        const auto out = payload_.subspan(at_, count);
        at_ += count;
        return out;
    }

private:
    std::uint64_t little_endian(std::size_t count)
    {
        const auto raw = bytes(count);
        std::uint64_t value = 0;
        for (std::size_t i = raw.size(); i > 0; --i)
            value = (value << 8) | static_cast<unsigned char>(raw[i - 1]);
        return value;
    }

    std::span<const char> payload_;
    std::size_t at_ = 0;
    bool ok_ = true;
};

std::uint32_t frame_length(const char *header)
{
    std::uint32_t length = 0;
    for (int i = 3; i >= 0; --i)
        length = (length << 8) | static_cast<unsigned char>(header[i]);
    return length;
}

bool known_type(std::uint8_t type)
{
    return type >= static_cast<std::uint8_t>(Type::start) &&
           type <= static_cast<std::uint8_t>(Type::event);
}

} // namespace

std::string sanitize_text(std::string_view text)
{
    static constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
        char32_t code_point = 0;
        const std::size_t length = decode_utf8(text.substr(at), code_point);
        std::string_view piece = length ? text.substr(at, length) : replacement;
        at += length ? length : 1;
        if (length && is_control(code_point))
            continue;
        if (out.size() + piece.size() > max_text)
            break;
        out += piece;
    }
    return out;
}

std::vector<std::uint8_t> encode(const Start &message)
{
    FrameWriter frame(Type::start);
    frame.u32(message.attempt);
    frame.u8(static_cast<std::uint8_t>(message.method));
    return frame.finish();
}

std::vector<std::uint8_t> encode(const Prompt &message)
{
    FrameWriter frame(Type::prompt);
    frame.u32(message.attempt);
    frame.u8(static_cast<std::uint8_t>(message.style));
    frame.text(message.text);
    return frame.finish();
}

std::vector<std::uint8_t> encode(const Notice &message)
{
    FrameWriter frame(message.is_error ? Type::error : Type::info);
    frame.u32(message.attempt);
    frame.text(message.text);
    return frame.finish();
}

std::vector<std::uint8_t> encode(const Result &message)
{
    FrameWriter frame(Type::result);
    frame.u32(message.attempt);
    frame.u8(static_cast<std::uint8_t>(message.status));
    frame.u32(message.delay_ms);
    frame.text(message.text);
    return frame.finish();
}

std::vector<std::uint8_t> encode(const Cancel &message)
{
    FrameWriter frame(Type::cancel);
    frame.u32(message.attempt);
    return frame.finish();
}

std::vector<std::uint8_t> encode(const StorageRequest &message)
{
    FrameWriter frame(Type::storage);
    frame.u32(message.attempt);
    frame.u8(static_cast<std::uint8_t>(message.op));
    return frame.finish();
}

std::vector<std::uint8_t> encode(const StorageDone &message)
{
    FrameWriter frame(Type::storage_done);
    frame.u32(message.attempt);
    frame.u8(message.ok ? 1 : 0);
    frame.text(message.text);
    return frame.finish();
}

std::vector<std::uint8_t> encode(const Event &message)
{
    FrameWriter frame(Type::event);
    frame.u32(message.attempt);
    frame.u8(static_cast<std::uint8_t>(message.kind));
    frame.text(message.text);
    return frame.finish();
}

bool encode_answer(std::uint32_t attempt, std::span<const char> secret, secure::SecretBuffer &out)
{
    out.clear();
    const std::size_t payload = 4 + 2 + secret.size();
    if (secret.size() > max_secret || header_size + payload > out.capacity())
        return false;
    char header[header_size + 6];
    for (int i = 0; i < 4; ++i) {
        header[i] = static_cast<char>(payload >> (8 * i));
        header[5 + i] = static_cast<char>(attempt >> (8 * i));
    }
    header[4] = static_cast<char>(Type::answer);
    header[9] = static_cast<char>(secret.size());
    header[10] = static_cast<char>(secret.size() >> 8);
    return out.append(std::span<const char>(header, sizeof header)) && out.append(secret);
}

Decoder::Decoder() : buffer_(buffer_capacity), secret_(max_secret) {}

bool Decoder::feed(std::span<const std::uint8_t> bytes)
{
    if (failed_)
        return false;
    if (!buffer_.append(std::span(reinterpret_cast<const char *>(bytes.data()), bytes.size()))) {
        failed_ = true;
        failure_ = "more data buffered than one frame";
        buffer_.clear();
        return false;
    }
    return true;
}

std::optional<Message> Decoder::next()
{
    secret_.clear();
    if (failed_ || buffer_.size() < header_size)
        return std::nullopt;
    const auto fail = [this](const char *why) -> std::optional<Message> {
        failed_ = true;
        failure_ = why;
        buffer_.clear();
        return std::nullopt;
    };
    const std::uint32_t length = frame_length(buffer_.data());
    const auto type = static_cast<std::uint8_t>(buffer_.data()[4]);
    if (!known_type(type))
        return fail("unknown message type");
    if (length > max_payload)
        return fail("frame longer than the maximum payload");
    if (buffer_.size() < header_size + length)
        return std::nullopt;

    PayloadReader payload(std::span<const char>(buffer_.data() + header_size, length));
    const std::uint32_t attempt = payload.u32();
    std::optional<Message> message;
    const char *problem = nullptr;
    const auto read_text = [&](std::string &out) {
        const std::uint16_t size = payload.u16();
        const auto bytes = payload.bytes(size);
        if (!payload.ok())
            return;
        out.assign(bytes.data(), bytes.size());
        if (!problem)
            problem = text_problem(out);
    };

    switch (static_cast<Type>(type)) {
    case Type::start: {
        Start start{attempt, static_cast<Method>(payload.u8())};
        if (start.method != Method::password && start.method != Method::token &&
            start.method != Method::automatic)
            problem = "unknown method";
        message = start;
        break;
    }
    case Type::prompt: {
        Prompt prompt{attempt, static_cast<PromptStyle>(payload.u8()), {}};
        if (prompt.style != PromptStyle::secret && prompt.style != PromptStyle::visible)
            problem = "unknown prompt style";
        read_text(prompt.text);
        message = std::move(prompt);
        break;
    }
    case Type::answer: {
        const std::uint16_t size = payload.u16();
        if (size > max_secret) {
            problem = "answer longer than the maximum secret";
            break;
        }
        const auto bytes = payload.bytes(size);
        // A NUL would silently shorten the secret PAM sees.
        if (payload.ok() && std::memchr(bytes.data(), 0, bytes.size()))
            problem = "NUL byte in answer";
        else if (payload.ok())
            secret_.append(bytes);
        message = AnswerReceived{attempt};
        break;
    }
    case Type::info:
    case Type::error: {
        Notice notice{attempt, static_cast<Type>(type) == Type::error, {}};
        read_text(notice.text);
        message = std::move(notice);
        break;
    }
    case Type::result: {
        Result result{attempt, static_cast<Status>(payload.u8()), payload.u32(), {}};
        if (static_cast<std::uint8_t>(result.status) > static_cast<std::uint8_t>(Status::cancelled))
            problem = "unknown result status";
        read_text(result.text);
        message = std::move(result);
        break;
    }
    case Type::cancel: message = Cancel{attempt}; break;
    case Type::storage: {
        StorageRequest request{attempt, static_cast<StorageOp>(payload.u8())};
        if (request.op != StorageOp::lock && request.op != StorageOp::status)
            problem = "unknown storage request";
        message = request;
        break;
    }
    case Type::storage_done: {
        const std::uint8_t ok = payload.u8();
        StorageDone done{attempt, ok == 1, {}};
        if (ok > 1)
            problem = "bad storage answer";
        read_text(done.text);
        message = std::move(done);
        break;
    }
    case Type::event: {
        Event event{attempt, static_cast<EventKind>(payload.u8()), {}};
        if (event.kind != EventKind::token_removed)
            problem = "unknown event";
        read_text(event.text);
        message = std::move(event);
        break;
    }
    }

    // A short payload explains any odd value read past its end, so it is reported first.
    if (!payload.ok())
        problem = "payload shorter than its type needs";
    else if (!problem && !payload.at_end())
        problem = "trailing bytes after the payload";
    if (problem) {
        secret_.clear();
        return fail(problem);
    }

    // Consume the frame: move what follows to the front, wiping what is left behind.
    const std::size_t consumed = header_size + length;
    const std::size_t rest = buffer_.size() - consumed;
    std::memmove(buffer_.data(), buffer_.data() + consumed, rest);
    buffer_.resize(rest);
    return message;
}

} // namespace rampart::auth
