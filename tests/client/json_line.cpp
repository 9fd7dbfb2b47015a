#include "json_line.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace rampart::test_client {

JsonLine::JsonLine(std::string_view event)
{
    text_ = "{\"event\":" + escape(event);
}

void JsonLine::key(std::string_view name)
{
    text_ += ',';
    text_ += escape(name);
    text_ += ':';
}

JsonLine &JsonLine::str(std::string_view name, std::string_view value)
{
    key(name);
    text_ += escape(value);
    return *this;
}

JsonLine &JsonLine::num(std::string_view name, int64_t value)
{
    key(name);
    text_ += std::to_string(value);
    return *this;
}

JsonLine &JsonLine::real(std::string_view name, double value)
{
    key(name);
    if (!std::isfinite(value)) { // JSON has no NaN/inf
        text_ += "null";
        return *this;
    }
    char buf[64];
    auto result = std::to_chars(buf, buf + sizeof buf, value); // shortest round-trip form
    text_.append(buf, result.ptr);
    return *this;
}

JsonLine &JsonLine::strs(std::string_view name, const std::vector<std::string> &values)
{
    key(name);
    text_ += '[';
    for (size_t i = 0; i < values.size(); ++i) {
        if (i)
            text_ += ',';
        text_ += escape(values[i]);
    }
    text_ += ']';
    return *this;
}

JsonLine &JsonLine::null(std::string_view name)
{
    key(name);
    text_ += "null";
    return *this;
}

void JsonLine::print() const
{
    std::fwrite(text_.data(), 1, text_.size(), stdout);
    std::fputs("}\n", stdout);
    std::fflush(stdout);
}

std::string JsonLine::escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", byte);
                out += buf;
            } else {
                out += c; // UTF-8 passes through unchanged
            }
        }
    }
    out += '"';
    return out;
}

} // namespace rampart::test_client
