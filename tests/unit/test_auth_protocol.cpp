// The rampart <-> rampart-authd codec: round trips, every malformed frame, random bytes.
#include "auth_protocol.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace rampart;
using auth::Decoder;

namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text)
{
    return {text.begin(), text.end()};
}

// Feeds `frame` and returns the one message it holds.
auth::Message decode_one(Decoder &decoder, const std::vector<std::uint8_t> &frame)
{
    REQUIRE(decoder.feed(frame));
    auto message = decoder.next();
    INFO("failure: " << decoder.failure());
    REQUIRE(message.has_value());
    return *message;
}

// Feeds `frame` and expects the decoder to fail; returns why.
std::string decode_failure(const std::vector<std::uint8_t> &frame)
{
    Decoder decoder;
    decoder.feed(frame);
    CHECK_FALSE(decoder.next().has_value());
    CHECK(decoder.failed());
    CHECK_FALSE(decoder.next().has_value()); // failed is forever
    return decoder.failure();
}

// A frame with the given type and raw payload (length computed).
std::vector<std::uint8_t> raw_frame(auth::Type type, std::string_view payload)
{
    std::string frame;
    frame += static_cast<char>(payload.size() & 0xff);
    frame += static_cast<char>(payload.size() >> 8);
    frame += std::string(2, '\0');
    frame += static_cast<char>(type);
    frame += payload;
    return bytes_of(frame);
}

const std::string attempt_one("\x01\x00\x00\x00", 4);

} // namespace

TEST_CASE("every message survives a round trip", "[auth_protocol]")
{
    Decoder decoder;
    SECTION("start")
    {
        auto message = decode_one(decoder, auth::encode(auth::Start{42, auth::Method::token}));
        const auto &start = std::get<auth::Start>(message);
        CHECK(start.attempt == 42);
        CHECK(start.method == auth::Method::token);
    }
    SECTION("prompt")
    {
        auto message = decode_one(
            decoder, auth::encode(auth::Prompt{0xdeadbeef, auth::PromptStyle::visible, "Name: "}));
        const auto &prompt = std::get<auth::Prompt>(message);
        CHECK(prompt.attempt == 0xdeadbeef);
        CHECK(prompt.style == auth::PromptStyle::visible);
        CHECK(prompt.text == "Name: ");
    }
    SECTION("info and error")
    {
        auto info = decode_one(decoder,
                               auth::encode(auth::Notice{7, false, "line 1\nline 2 \xE2\x82\xAC"}));
        CHECK_FALSE(std::get<auth::Notice>(info).is_error);
        CHECK(std::get<auth::Notice>(info).text == "line 1\nline 2 \xE2\x82\xAC");
        auto error = decode_one(decoder, auth::encode(auth::Notice{7, true, ""}));
        CHECK(std::get<auth::Notice>(error).is_error);
        CHECK(std::get<auth::Notice>(error).text.empty());
    }
    SECTION("result")
    {
        auto message = decode_one(
            decoder, auth::encode(auth::Result{9, auth::Status::expired, 2000, "Expired."}));
        const auto &result = std::get<auth::Result>(message);
        CHECK(result.attempt == 9);
        CHECK(result.status == auth::Status::expired);
        CHECK(result.delay_ms == 2000);
        CHECK(result.text == "Expired.");
    }
    SECTION("storage request, answer and event")
    {
        auto request =
            decode_one(decoder, auth::encode(auth::StorageRequest{12, auth::StorageOp::lock}));
        CHECK(std::get<auth::StorageRequest>(request).op == auth::StorageOp::lock);
        auto done =
            decode_one(decoder, auth::encode(auth::StorageDone{12, true, "home: suspended"}));
        CHECK(std::get<auth::StorageDone>(done).ok);
        CHECK(std::get<auth::StorageDone>(done).text == "home: suspended");
        auto event = decode_one(
            decoder, auth::encode(auth::Event{0, auth::EventKind::token_removed, "card gone"}));
        CHECK(std::get<auth::Event>(event).kind == auth::EventKind::token_removed);
        auto start = decode_one(decoder, auth::encode(auth::Start{3, auth::Method::automatic}));
        CHECK(std::get<auth::Start>(start).method == auth::Method::automatic);
    }
    SECTION("cancel")
    {
        auto message = decode_one(decoder, auth::encode(auth::Cancel{11}));
        CHECK(std::get<auth::Cancel>(message).attempt == 11);
    }
    SECTION("answer: the secret is only in the decoder, until the next call")
    {
        secure::SecretBuffer frame(auth::header_size + 6 + auth::max_secret);
        REQUIRE(auth::encode_answer(5, std::span<const char>("pass\xC3\xA9", 6), frame));
        REQUIRE(decoder.feed(
            std::span(reinterpret_cast<const std::uint8_t *>(frame.data()), frame.size())));
        auto message = decoder.next();
        REQUIRE(message.has_value());
        CHECK(std::get<auth::AnswerReceived>(*message).attempt == 5);
        CHECK(std::string(decoder.answer_secret().data(), decoder.answer_secret().size()) ==
              "pass\xC3\xA9");
        CHECK_FALSE(decoder.next().has_value());
        CHECK(decoder.answer_secret().empty());
    }
    SECTION("an empty answer")
    {
        secure::SecretBuffer frame(auth::header_size + 6 + auth::max_secret);
        REQUIRE(auth::encode_answer(5, {}, frame));
        CHECK(frame.size() == auth::header_size + 6);
        REQUIRE(decoder.feed(
            std::span(reinterpret_cast<const std::uint8_t *>(frame.data()), frame.size())));
        CHECK(std::holds_alternative<auth::AnswerReceived>(*decoder.next()));
        CHECK(decoder.answer_secret().empty());
    }
}

TEST_CASE("frames split anywhere and frames back to back decode the same", "[auth_protocol]")
{
    std::vector<std::uint8_t> stream;
    for (std::uint32_t attempt = 1; attempt <= 5; ++attempt) {
        const auto frame = auth::encode(
            auth::Prompt{attempt, auth::PromptStyle::secret, std::string(attempt * 100, 'p')});
        stream.insert(stream.end(), frame.begin(), frame.end());
    }
    for (const std::size_t piece :
         {std::size_t{1}, std::size_t{3}, std::size_t{700}, stream.size()}) {
        Decoder decoder;
        std::uint32_t expected = 1;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            const std::size_t size = std::min(piece, stream.size() - at);
            REQUIRE(decoder.feed(std::span(stream.data() + at, size)));
            while (auto message = decoder.next())
                CHECK(std::get<auth::Prompt>(*message).attempt == expected++);
        }
        CHECK(expected == 6);
        CHECK_FALSE(decoder.failed());
    }
}

TEST_CASE("a consumed frame is wiped from the decoder's buffer", "[auth_protocol]")
{
    // Not observable through the API, except that nothing of it comes back: a second answer
    // shorter than the first shows only its own bytes.
    Decoder decoder;
    secure::SecretBuffer frame(auth::header_size + 6 + auth::max_secret);
    REQUIRE(auth::encode_answer(1, std::span<const char>("longsecret", 10), frame));
    decoder.feed(std::span(reinterpret_cast<const std::uint8_t *>(frame.data()), frame.size()));
    REQUIRE(decoder.next());
    REQUIRE(auth::encode_answer(1, std::span<const char>("ab", 2), frame));
    decoder.feed(std::span(reinterpret_cast<const std::uint8_t *>(frame.data()), frame.size()));
    REQUIRE(decoder.next());
    CHECK(std::string(decoder.answer_secret().data(), decoder.answer_secret().size()) == "ab");
}

TEST_CASE("malformed frames fail the decoder with a reason", "[auth_protocol]")
{
    CHECK(decode_failure(raw_frame(static_cast<auth::Type>(0), attempt_one)) ==
          "unknown message type");
    CHECK(decode_failure(raw_frame(static_cast<auth::Type>(11), attempt_one)) ==
          "unknown message type");
    CHECK(decode_failure(raw_frame(auth::Type::storage, attempt_one + "\x03")) ==
          "unknown storage request");
    CHECK(decode_failure(
              raw_frame(auth::Type::storage_done, attempt_one + "\x02" + std::string("\0\0", 2))) ==
          "bad storage answer");
    CHECK(decode_failure(
              raw_frame(auth::Type::event, attempt_one + "\x09" + std::string("\0\0", 2))) ==
          "unknown event");
    CHECK(decode_failure(bytes_of(std::string("\x01\x08\x00\x00\x01", 5))) ==
          "frame longer than the maximum payload");
    CHECK(decode_failure(bytes_of(std::string("\xff\xff\xff\xff\x03", 5))) ==
          "frame longer than the maximum payload");
    // Sizes that do not match the type exactly.
    CHECK(decode_failure(raw_frame(auth::Type::start, attempt_one)) ==
          "payload shorter than its type needs");
    CHECK(decode_failure(raw_frame(auth::Type::start, attempt_one + std::string("\x01\x00", 2))) ==
          "trailing bytes after the payload");
    CHECK(decode_failure(raw_frame(auth::Type::cancel, "\x01\x00\x00")) ==
          "payload shorter than its type needs");
    CHECK(decode_failure(raw_frame(auth::Type::cancel, attempt_one + "x")) ==
          "trailing bytes after the payload");
    CHECK(decode_failure(raw_frame(auth::Type::info, attempt_one + std::string("\x05\x00"
                                                                               "abc",
                                                                               5))) ==
          "payload shorter than its type needs");
    CHECK(decode_failure(raw_frame(auth::Type::info, attempt_one + std::string("\x02\x00"
                                                                               "abc",
                                                                               5))) ==
          "trailing bytes after the payload");
    CHECK(decode_failure(
              raw_frame(auth::Type::result, attempt_one + std::string("\x00\x00\x00", 3))) ==
          "payload shorter than its type needs");
    // Enumerations.
    CHECK(decode_failure(raw_frame(auth::Type::start, attempt_one + "\x04")) == "unknown method");
    CHECK(decode_failure(raw_frame(auth::Type::start, attempt_one + std::string(1, '\0'))) ==
          "unknown method");
    CHECK(decode_failure(
              raw_frame(auth::Type::prompt, attempt_one + std::string("\x03\x00\x00", 3))) ==
          "unknown prompt style");
    CHECK(decode_failure(raw_frame(auth::Type::result,
                                   attempt_one + std::string("\x05\x00\x00\x00\x00\x00\x00", 7))) ==
          "unknown result status");
    // Texts.
    const auto info = [](std::string_view text) {
        std::string payload = attempt_one;
        payload += static_cast<char>(text.size() & 0xff);
        payload += static_cast<char>(text.size() >> 8);
        payload += text;
        return raw_frame(auth::Type::info, payload);
    };
    CHECK(decode_failure(info("\xff")) == "invalid UTF-8 in text");
    CHECK(decode_failure(info("\xC3")) == "invalid UTF-8 in text");             // truncated
    CHECK(decode_failure(info("\xC0\xAF")) == "invalid UTF-8 in text");         // overlong
    CHECK(decode_failure(info("\xED\xA0\x80")) == "invalid UTF-8 in text");     // surrogate
    CHECK(decode_failure(info("\xF4\x90\x80\x80")) == "invalid UTF-8 in text"); // > U+10FFFF
    CHECK(decode_failure(info("a\tb")) == "control character in text");
    CHECK(decode_failure(info("a\x1b[31m")) == "control character in text");
    CHECK(decode_failure(info("\x7f")) == "control character in text");
    CHECK(decode_failure(info("\xC2\x85")) == "control character in text"); // C1 NEL
    CHECK(decode_failure(info(std::string(auth::max_text + 1, 'a'))) == "text too long");
    // Answers.
    const auto answer = [](std::size_t declared, std::string_view secret) {
        std::string payload = attempt_one;
        payload += static_cast<char>(declared & 0xff);
        payload += static_cast<char>(declared >> 8);
        payload += secret;
        return raw_frame(auth::Type::answer, payload);
    };
    CHECK(decode_failure(answer(auth::max_secret + 1, std::string(auth::max_secret + 1, 's'))) ==
          "answer longer than the maximum secret");
    CHECK(decode_failure(answer(3, std::string("a\0b", 3))) == "NUL byte in answer");
    CHECK(decode_failure(answer(4, "abc")) == "payload shorter than its type needs");
    CHECK(decode_failure(answer(2, "abc")) == "trailing bytes after the payload");
}

TEST_CASE("failure reasons never contain the secret", "[auth_protocol]")
{
    for (const std::string_view secret :
         {std::string_view("topsecret\0x", 11), std::string_view("topsecret")}) {
        std::string payload = attempt_one;
        payload += static_cast<char>(secret.size());
        payload += '\0';
        payload += secret;
        payload += "trailing";
        const auto why = decode_failure(raw_frame(auth::Type::answer, payload));
        CHECK(why.find("topsecret") == std::string::npos);
    }
}

TEST_CASE("a decoder fails when fed more than it can hold, and stays failed", "[auth_protocol]")
{
    Decoder decoder;
    const std::vector<std::uint8_t> partial{0x00, 0x08, 0x00, 0x00}; // no type yet
    const std::vector<std::uint8_t> filler(auth::header_size + auth::max_payload, 0);
    CHECK(decoder.feed(partial));
    CHECK(decoder.feed(filler));
    CHECK_FALSE(decoder.feed(filler));
    CHECK(decoder.failed());
    CHECK_FALSE(decoder.next().has_value());
    CHECK_FALSE(decoder.feed(auth::encode(auth::Cancel{1})));
}

TEST_CASE("encode_answer refuses secrets that are too long or a buffer too small",
          "[auth_protocol]")
{
    secure::SecretBuffer frame(auth::header_size + 6 + auth::max_secret);
    const std::string longest(auth::max_secret, 'x');
    CHECK(auth::encode_answer(1, std::span(longest.data(), longest.size()), frame));
    const std::string too_long(auth::max_secret + 1, 'x');
    CHECK_FALSE(auth::encode_answer(1, std::span(too_long.data(), too_long.size()), frame));
    CHECK(frame.empty());
    secure::SecretBuffer small(8);
    CHECK_FALSE(auth::encode_answer(1, std::span<const char>("abc", 3), small));
}

TEST_CASE("encoding sanitises text so the frame is always valid", "[auth_protocol]")
{
    Decoder decoder;
    const std::string hostile = "bad\xff\x1b[2J" + std::string(2000, 'z');
    auto message = decode_one(decoder, auth::encode(auth::Notice{1, true, hostile}));
    const auto &text = std::get<auth::Notice>(message).text;
    CHECK(text.size() <= auth::max_text);
    CHECK(text.rfind("bad\xEF\xBF\xBD[2J", 0) == 0);
}

TEST_CASE("sanitize_text", "[auth_protocol]")
{
    CHECK(auth::sanitize_text("Password: ") == "Password: ");
    CHECK(auth::sanitize_text("a\nb") == "a\nb");
    CHECK(auth::sanitize_text("a\tb\rc\x7f\xC2\x9B") == "abc");
    CHECK(auth::sanitize_text("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(auth::sanitize_text("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    // Cut on a code point boundary.
    std::string euros;
    for (int i = 0; i < 400; ++i)
        euros += "\xE2\x82\xAC";
    const auto cut = auth::sanitize_text(euros);
    CHECK(cut.size() == 1023);
    CHECK(cut.size() % 3 == 0);
}

TEST_CASE("random bytes never crash the decoder", "[auth_protocol]")
{
    std::mt19937 random(12345);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 64);
    int decoded = 0;
    for (int round = 0; round < 20000; ++round) {
        Decoder decoder;
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(length(random)));
        for (auto &value : bytes)
            value = static_cast<std::uint8_t>(byte(random));
        // Half the rounds get a plausible header so the payload checks are reached.
        if (round % 2 && bytes.size() >= auth::header_size) {
            bytes[0] = static_cast<std::uint8_t>(bytes.size() - auth::header_size);
            bytes[1] = bytes[2] = bytes[3] = 0;
            bytes[4] = static_cast<std::uint8_t>(1 + round % 7);
        }
        decoder.feed(bytes);
        while (decoder.next())
            ++decoded;
        if (decoder.failed())
            CHECK_FALSE(decoder.failure().empty());
    }
    CHECK(decoded > 0);
}
