// The control socket's wire format alone: request parsing, request and reply formatting.
#include "control/control_protocol.hpp"

#include <catch2/catch.hpp>

using namespace rampart::control;
using Words = std::vector<std::string>;

TEST_CASE("requests are printable ASCII words separated by spaces", "[control][protocol]")
{
    std::string why;
    CHECK(parse_request("lock", &why) == Words{"lock"});
    CHECK(parse_request("  set  level   secret ", &why) == Words{"set", "level", "secret"});
    CHECK(parse_request("a~!@#$%^&*()", &why) == Words{"a~!@#$%^&*()"});

    for (std::string bad :
         {std::string(""), std::string("   "), std::string("lo\0ck", 5), std::string("lock\r"),
          std::string("\tlock"), std::string("\x1b[2J"), std::string("caf\xc3\xa9"),
          std::string("\x7f"), std::string(600, 'a')}) {
        INFO(bad);
        why.clear();
        CHECK_FALSE(parse_request(bad, &why));
        CHECK_FALSE(why.empty());
    }
    CHECK(parse_request(std::string(max_line - 1, 'a'), nullptr));
    CHECK_FALSE(parse_request(std::string(max_line, 'a'), nullptr));
}

TEST_CASE("a request line is formatted only when it parses back unchanged", "[control][protocol]")
{
    CHECK(format_request({"lock"}) == "lock\n");
    CHECK(format_request({"a", "b"}) == "a b\n");
    CHECK_FALSE(format_request({}));
    CHECK_FALSE(format_request({""}));
    CHECK_FALSE(format_request({"two words"}));
    CHECK_FALSE(format_request({"new\nline"}));
    CHECK_FALSE(format_request({std::string(max_line, 'a')}));
}

TEST_CASE("replies are ok or error lines, made safe before sending", "[control][protocol]")
{
    CHECK(classify_reply("ok") == ReplyKind::ok);
    CHECK(classify_reply("ok locked") == ReplyKind::ok);
    CHECK(classify_reply("error: no") == ReplyKind::error);
    CHECK(classify_reply("okay") == ReplyKind::malformed);
    CHECK(classify_reply("error:no") == ReplyKind::malformed);
    CHECK(classify_reply("") == ReplyKind::malformed);

    CHECK(sanitize_reply("ok") == "ok");
    CHECK(sanitize_reply("ok a\nb\x1b") == "ok a?b?");
    CHECK(sanitize_reply("surprise") == "error: internal error");
    CHECK(sanitize_reply("") == "error: internal error");
    CHECK(sanitize_reply("ok " + std::string(10000, 'x')).size() == max_reply);
}

TEST_CASE("the default control path", "[control][protocol]")
{
    CHECK(default_control_path("/run/user/1000", "wayland-1") ==
          "/run/user/1000/rampart/wayland-1.control");
    CHECK(default_control_path("/run/user/1000", "") == "/run/user/1000/rampart/wayland-0.control");
    CHECK(default_control_path("/run/user/1000", "/tmp/x/wayland-7") ==
          "/run/user/1000/rampart/wayland-7.control");
}
