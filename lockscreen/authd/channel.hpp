// A framed connection (to the compositor, or between the broker and its PAM child): owns the
// descriptor, a Decoder, and a locked scratch buffer for reads, since answers pass through.
#pragma once

#include "auth_protocol.hpp"
#include "secret_buffer.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace rampart::authd {

class Channel {
public:
    explicit Channel(int fd) : fd_(fd) {}
    ~Channel();
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;

    int fd() const { return fd_; }
    auth::Decoder &decoder() { return decoder_; }

    // Blocking writes of whole frames; false when the other end is gone.
    bool send(const std::vector<std::uint8_t> &frame);
    bool send(const secure::SecretBuffer &frame);

    // One read() into the decoder (the scratch copy is wiped at once). False on end of
    // stream, a read error, or bytes the decoder cannot hold.
    bool receive();

    // Blocks until the next message; std::nullopt when the stream ends or is malformed.
    std::optional<auth::Message> next_blocking();

private:
    bool send_bytes(const char *data, std::size_t size);

    int fd_;
    auth::Decoder decoder_;
    secure::SecretBuffer scratch_{auth::header_size + auth::max_payload};
};

} // namespace rampart::authd
