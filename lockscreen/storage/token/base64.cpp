#include "base64.hpp"

#include <array>

namespace rampart::storage {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

} // namespace

bool base64_encode_secret(std::span<const unsigned char> bytes, secure::SecretBuffer &out)
{
    // Four characters at a time through a small array that is wiped before returning: the
    // output is a passphrase.
    std::array<char, 4> quad{};
    bool fits = true;
    for (std::size_t i = 0; i < bytes.size() && fits; i += 3) {
        const std::size_t left = bytes.size() - i;
        const unsigned value = (unsigned{bytes[i]} << 16) |
                               (left > 1 ? unsigned{bytes[i + 1]} << 8 : 0u) |
                               (left > 2 ? unsigned{bytes[i + 2]} : 0u);
        quad[0] = alphabet[(value >> 18) & 63];
        quad[1] = alphabet[(value >> 12) & 63];
        quad[2] = left > 1 ? alphabet[(value >> 6) & 63] : '=';
        quad[3] = left > 2 ? alphabet[value & 63] : '=';
        fits = out.append(std::span<const char>(quad.data(), quad.size()));
    }
    secure::wipe(quad.data(), quad.size());
    if (!fits)
        out.clear();
    return fits;
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text)
{
    std::vector<unsigned char> bytes;
    unsigned accumulator = 0;
    int bits = 0, padding = 0, symbols = 0;
    for (char c : text) {
        if (is_space(c))
            continue;
        if (c == '=') {
            ++padding;
            ++symbols;
            continue;
        }
        const int value = decode_char(c);
        if (value < 0 || padding > 0) // data after padding
            return std::nullopt;
        ++symbols;
        accumulator = (accumulator << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes.push_back(static_cast<unsigned char>((accumulator >> bits) & 0xFF));
        }
    }
    if (symbols % 4 != 0 || padding > 2)
        return std::nullopt;
    return bytes;
}

} // namespace rampart::storage
