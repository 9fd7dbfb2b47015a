#include "channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace rampart::authd {

Channel::~Channel()
{
    if (fd_ >= 0)
        close(fd_);
}

bool Channel::send_bytes(const char *data, std::size_t size)
{
    while (size > 0) {
        // MSG_NOSIGNAL: a vanished peer is an error return, never a SIGPIPE.
        const ssize_t written = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

bool Channel::send(const std::vector<std::uint8_t> &frame)
{
    return send_bytes(reinterpret_cast<const char *>(frame.data()), frame.size());
}

bool Channel::send(const secure::SecretBuffer &frame)
{
    return send_bytes(frame.data(), frame.size());
}

bool Channel::receive()
{
    ssize_t got = -1;
    do {
        got = read(fd_, scratch_.data(), scratch_.capacity());
    } while (got < 0 && errno == EINTR);
    if (got <= 0)
        return false;
    scratch_.resize(static_cast<std::size_t>(got));
    const bool fed = decoder_.feed(
        std::span(reinterpret_cast<const std::uint8_t *>(scratch_.data()), scratch_.size()));
    scratch_.clear();
    return fed;
}

std::optional<auth::Message> Channel::next_blocking()
{
    for (;;) {
        if (auto message = decoder_.next())
            return message;
        if (decoder_.failed() || !receive())
            return std::nullopt;
    }
}

} // namespace rampart::authd
