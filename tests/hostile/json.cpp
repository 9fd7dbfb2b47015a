#include "json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace rampart::hostile {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is ill-formed
// (overlong forms, surrogates and code points above U+10FFFF count as ill-formed).
size_t utf8_sequence_length(std::string_view text, size_t i)
{
    auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    unsigned char lead = byte(i);
    size_t length = 0;
    unsigned char min_second = 0x80, max_second = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            min_second = 0xa0;
        if (lead == 0xed)
            max_second = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            min_second = 0x90;
        if (lead == 0xf4)
            max_second = 0x8f;
    } else {
        return 0;
    }
    if (i + length > text.size())
        return 0;
    if (byte(i + 1) < min_second || byte(i + 1) > max_second)
        return 0;
    for (size_t k = 2; k < length; ++k)
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
    return length;
}

} // namespace

Json Json::event(std::string_view name)
{
    Json json;
    json.text_ = "{";
    json.str("event", name);
    return json;
}

Json Json::object()
{
    Json json;
    json.text_ = "{";
    return json;
}

void Json::key(std::string_view name)
{
    if (!empty_)
        text_ += ',';
    empty_ = false;
    text_ += quote(name);
    text_ += ':';
}

Json &Json::str(std::string_view name, std::string_view value)
{
    key(name);
    text_ += quote(value);
    return *this;
}

Json &Json::num(std::string_view name, int64_t value)
{
    key(name);
    text_ += std::to_string(value);
    return *this;
}

Json &Json::real(std::string_view name, double value)
{
    key(name);
    if (!std::isfinite(value)) { // JSON has no NaN or infinity
        text_ += "null";
        return *this;
    }
    char buf[64];
    auto result = std::to_chars(buf, buf + sizeof buf, value); // shortest round-trip form
    text_.append(buf, result.ptr);
    return *this;
}

Json &Json::boolean(std::string_view name, bool value)
{
    key(name);
    text_ += value ? "true" : "false";
    return *this;
}

Json &Json::null(std::string_view name)
{
    key(name);
    text_ += "null";
    return *this;
}

Json &Json::strs(std::string_view name, const std::vector<std::string> &values)
{
    std::string array = "[";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i)
            array += ',';
        array += quote(values[i]);
    }
    array += ']';
    return raw(name, array);
}

Json &Json::raw(std::string_view name, std::string_view json)
{
    key(name);
    text_ += json;
    return *this;
}

void Json::print() const
{
    std::string line = text();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

std::string Json::quote(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x80) {
            size_t length = utf8_sequence_length(text, i);
            if (length == 0) {
                out += "\\ufffd"; // keep the line valid JSON
                ++i;
            } else {
                out.append(text.substr(i, length));
                i += length;
            }
            continue;
        }
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", byte);
                out += buf;
            } else {
                out += static_cast<char>(byte);
            }
        }
        ++i;
    }
    out += '"';
    return out;
}

std::string to_hex(std::string_view bytes, size_t max_bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
        auto byte = static_cast<unsigned char>(bytes[i]);
        out += digits[byte >> 4];
        out += digits[byte & 0xf];
    }
    return out;
}

} // namespace rampart::hostile
