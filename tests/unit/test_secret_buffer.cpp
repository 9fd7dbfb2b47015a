// SecretBuffer: fixed capacity, UTF-8 aware backspace, wiping.
#include "secret_buffer.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>
#include <string_view>

using rampart::secure::SecretBuffer;
using namespace std::string_view_literals;

namespace {

std::string contents(const SecretBuffer &buffer)
{
    return std::string(buffer.data(), buffer.size());
}

} // namespace

TEST_CASE("SecretBuffer appends up to its capacity and never beyond", "[secret_buffer]")
{
    SecretBuffer buffer(8);
    CHECK(buffer.capacity() == 8);
    CHECK(buffer.empty());
    CHECK(buffer.append("abcde"sv));
    CHECK(buffer.append(""sv));
    CHECK_FALSE(buffer.append("fghi"sv)); // would make 9: nothing appended
    CHECK(contents(buffer) == "abcde");
    CHECK(buffer.append("fgh"sv));
    CHECK(buffer.size() == 8);
    CHECK_FALSE(buffer.append("x"sv));
    CHECK(contents(buffer) == "abcdefgh");
}

TEST_CASE("SecretBuffer's default capacity and a zero capacity", "[secret_buffer]")
{
    SecretBuffer standard;
    CHECK(standard.capacity() == SecretBuffer::default_capacity);
    SecretBuffer none(0);
    CHECK(none.append(""sv));
    CHECK_FALSE(none.append("a"sv));
    none.pop_codepoint();
    CHECK(none.empty());
}

TEST_CASE("SecretBuffer removes whole UTF-8 code points on backspace", "[secret_buffer]")
{
    SecretBuffer buffer;
    // a, é (2 bytes), € (3 bytes), 😀 (4 bytes)
    REQUIRE(buffer.append("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"sv));
    CHECK(buffer.codepoints() == 4);
    buffer.pop_codepoint();
    CHECK(contents(buffer) == "a\xC3\xA9\xE2\x82\xAC");
    buffer.pop_codepoint();
    CHECK(contents(buffer) == "a\xC3\xA9");
    buffer.pop_codepoint();
    CHECK(contents(buffer) == "a");
    buffer.pop_codepoint();
    CHECK(buffer.empty());
    buffer.pop_codepoint(); // no-op when empty
    CHECK(buffer.empty());
}

TEST_CASE("SecretBuffer removes a stray byte of broken UTF-8 alone", "[secret_buffer]")
{
    SecretBuffer buffer;
    REQUIRE(buffer.append("ab\x80\x80"sv));
    buffer.pop_codepoint();
    CHECK(contents(buffer) == "ab\x80");
    REQUIRE(buffer.append("\xE2\x82"sv)); // a truncated 3-byte sequence
    buffer.pop_codepoint();
    CHECK(contents(buffer) == "ab\x80\xE2");
}

TEST_CASE("SecretBuffer wipes what it clears, pops and shrinks", "[secret_buffer]")
{
    SecretBuffer buffer(64);
    REQUIRE(buffer.append("hunter2\xC3\xA9"sv));
    const char *bytes = buffer.data();
    buffer.pop_codepoint();
    CHECK(bytes[7] == 0);
    CHECK(bytes[8] == 0);
    buffer.resize(3);
    CHECK(contents(buffer) == "hun");
    CHECK(bytes[3] == 0);
    CHECK(bytes[6] == 0);
    buffer.clear();
    CHECK(buffer.empty());
    for (int i = 0; i < 9; ++i)
        CHECK(bytes[i] == 0);
}

TEST_CASE("SecretBuffer resize clamps to capacity", "[secret_buffer]")
{
    SecretBuffer buffer(16);
    buffer.resize(100);
    CHECK(buffer.size() == 16);
    buffer.resize(0);
    CHECK(buffer.empty());
}

TEST_CASE("SecretBuffer is locked in memory when the limit allows", "[secret_buffer]")
{
    SecretBuffer buffer;
    // mlock can fail under a small RLIMIT_MEMLOCK; as root (the test machines) it cannot.
    if (getuid() == 0)
        CHECK(buffer.locked());
}

TEST_CASE("wipe zeroes memory", "[secret_buffer]")
{
    char bytes[] = "secret";
    rampart::secure::wipe(bytes, sizeof bytes);
    for (const char byte : bytes)
        CHECK(byte == 0);
    rampart::secure::wipe(nullptr, 0);
}
