// [storage] and [[volume]]: the administrator's list of the user's encrypted volumes.
#include "config/config.hpp"

#include <catch2/catch.hpp>

using rampart::config::OnLock;
using rampart::config::parse;

TEST_CASE("[[volume]] entries and the lock policy", "[config][storage]")
{
    auto result = parse("[storage]\non_lock = \"suspend\"\ncard_removal = \"lock\"\n"
                        "user = \"alice\"\n"
                        "[[volume]]\nname = \"home\"\ndevice = \"/dev/vdb\"\n"
                        "[[volume]]\nname = \"scratch\"\ndevice = \"/var/lib/scratch.img\"\n"
                        "on_lock = \"keep\"\nuser = \"bob\"\n",
                        "/etc/r.toml", "", "/u");
    REQUIRE(result.config);
    const auto &storage = result.config->storage;
    REQUIRE(storage.volumes.size() == 2);
    CHECK(storage.volumes[0].name == "home");
    CHECK(storage.policy_for(storage.volumes[0]) == OnLock::suspend);
    CHECK(storage.policy_for(storage.volumes[1]) == OnLock::keep);
    CHECK(storage.card_removal == rampart::config::CardRemoval::lock);
    // The owner: [storage].user unless the volume names its own.
    CHECK(storage.volumes[0].user == "alice");
    CHECK(storage.volumes[1].user == "bob");
    const auto alices = storage.owned_by("alice");
    REQUIRE(alices.volumes.size() == 1);
    CHECK(alices.volumes[0].name == "home");
    CHECK(alices.policy_for(alices.volumes[0]) == OnLock::suspend);
    CHECK(storage.owned_by("bob").volumes.at(0).name == "scratch");
    CHECK(storage.owned_by("mallory").volumes.empty());
    CHECK(storage.owned_by("").volumes.empty());
    // SSSD's fully qualified names and machine accounts are names too.
    for (const char *name : {"alice@example.com", "host$", "a1000", "j.doe_2"}) {
        INFO(name);
        CHECK(parse(std::string("[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = \"") + name +
                        "\"\n",
                    "/etc/r.toml", "", "/u")
                  .config);
    }
    auto none = parse("", "/etc/r.toml", "", "/u");
    CHECK(none.config->storage.volumes.empty());
    CHECK(none.config->storage.on_lock == OnLock::keep);
}

TEST_CASE("[[volume]]: hostile or inconsistent entries are refused with a position",
          "[config][storage]")
{
    for (const char *bad :
         {"[storage]\nuser = \"\"\n[[volume]]\nname = \"home\"\ndevice = \"/dev/vdb\"\n",
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = \"../root\"\n", // not a name
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = \"-rf\"\n",
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = 0\n",        // a uid is not a name
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = \"1000\"\n", // nor in quotes
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nuser = \"al ice\"\n",
          "[[volume]]\nname = \"home\"\n",                             // no device
          "[[volume]]\ndevice = \"/dev/vdb\"\n",                       // no name
          "[[volume]]\nname = \"../etc\"\ndevice = \"/dev/vdb\"\n",    // bad name
          "[[volume]]\nname = \"home\"\ndevice = \"vdb\"\n",           // relative
          "[[volume]]\nname = \"a\"\ndevice = \"/x/../etc/shadow\"\n", // dot-dot
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\n[[volume]]\nname = \"a\"\ndevice = "
          "\"/b\"\n", // same name twice
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\n[[volume]]\nname = \"b\"\ndevice = "
          "\"/a\"\n", // same device twice
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\non_lock = \"freeze\"\n",
          "[[volume]]\nname = \"a\"\ndevice = \"/a\"\nkey = \"secret\"\n", // unknown key
          "[storage]\npkcs11_module = \"libsofthsm2.so\"\n",               // relative module
          "[storage]\ncard_removal = \"explode\"\n", "volume = 3\n"}) {
        // Owned, unless the entry is about the owner: each fails for its own fault.
        const std::string text = std::string(bad).find("user") == std::string::npos
                                     ? std::string("[storage]\nuser = \"alice\"\n") + bad
                                     : std::string(bad);
        INFO(text);
        auto result = parse(text, "/etc/r.toml", "", "/u");
        CHECK_FALSE(result.config);
        REQUIRE(result.error);
        CHECK(result.error->to_string().rfind("/etc/r.toml:", 0) == 0);
    }
    CHECK_FALSE(
        parse("[[volume]]\nname = \"a\"\ndevice = \"/a\"\n", "/etc/r.toml", "", "/u").config);
    // The missing owner is reported at the volume that lacks one.
    auto unowned = parse("[storage]\non_lock = \"suspend\"\n[[volume]]\nname = \"a\"\ndevice = "
                         "\"/a\"\nuser = \"alice\"\n[[volume]]\nname = \"b\"\ndevice = \"/b\"\n",
                         "/etc/r.toml", "", "/u");
    REQUIRE(unowned.error);
    CHECK(unowned.error->message.find("volume[1] has no owner") != std::string::npos);
    CHECK(unowned.error->line == 7);
    // The user's file may not name volumes: which devices get unlocked is the admin's call.
    auto user = parse("", "/etc/r.toml", "[[volume]]\nname = \"a\"\ndevice = \"/a\"\n", "/u");
    CHECK_FALSE(user.config);
    std::string many;
    for (int i = 0; i < 17; ++i)
        many += "[[volume]]\nname = \"v" + std::to_string(i) + "\"\ndevice = \"/d" +
                std::to_string(i) + "\"\nuser = \"alice\"\n";
    CHECK_FALSE(parse(many, "/etc/r.toml", "", "/u").config);
}
