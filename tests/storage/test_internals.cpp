// The pure helpers: mountinfo parsing (which file systems to sync before a suspend) and the
// description of token JSON for `storage status`.
#include "storage/crypt.hpp"
#include "storage/mounts.hpp"
#include "storage/tokens.hpp"

#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

using namespace rampart::storage::detail;

TEST_CASE("mountinfo: fields, escapes, optional fields, malformed lines", "[storage]")
{
    const char *text =
        "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "40 22 253:0 / /home/a\\040b rw,nosuid shared:20 master:3 - ext4 /dev/mapper/home rw\n"
        "41 22 253:0 /sub /srv/bind rw - ext4 /dev/mapper/home rw\n"
        "42 22 0:45 / /mnt/btrfs rw - btrfs /dev/mapper/data rw,subvol=/\n"
        "garbage line\n"
        "43 22 253:0 / relative rw - ext4 /dev/mapper/home rw\n"
        "44 22 253:0 / /no-separator rw ext4\n";
    auto entries = parse_mountinfo(text);
    REQUIRE(entries.size() == 4);
    CHECK(entries[1].device == makedev(253, 0));
    CHECK(entries[1].mount_point == "/home/a b");
    CHECK(entries[1].source == "/dev/mapper/home");
    CHECK(entries[3].source == "/dev/mapper/data");

    auto by_source = [](const std::string &source) -> dev_t {
        return source == "/dev/mapper/data" ? makedev(253, 1) : 0;
    };
    // One mount point per file system; btrfs is found by its source.
    CHECK(mounts_of(entries, {makedev(253, 0)}, by_source) ==
          std::vector<std::string>{"/home/a b"});
    CHECK(mounts_of(entries, {makedev(253, 1)}, by_source) ==
          std::vector<std::string>{"/mnt/btrfs"});
    CHECK(mounts_of(entries, {makedev(253, 0), makedev(253, 1)}, by_source).size() == 2);
    CHECK(mounts_of(entries, {makedev(9, 9)}, by_source).empty());
    CHECK(parse_mountinfo("").empty());
    CHECK(parse_mountinfo("1 2 3 4 5 6 - \\").empty());
}

TEST_CASE("a mapping that does not exist has no device and nothing to sync", "[storage]")
{
    CHECK(mapping_device("rampart-no-such-mapping") == 0);
    auto report = sync_mapping("rampart-no-such-mapping");
    CHECK(report.synced.empty());
    CHECK(report.errors.empty());
    // A device without holders is its own stack.
    CHECK(stacked_devices(makedev(7, 250)) == std::vector<dev_t>{makedev(7, 250)});
}

TEST_CASE("token JSON descriptions never trust the header", "[storage]")
{
    CHECK(describe_token_json("systemd-pkcs11", nullptr) ==
          "systemd-pkcs11: unreadable token JSON");
    CHECK(describe_token_json("systemd-pkcs11", "{not json") ==
          "systemd-pkcs11: unreadable token JSON");
    CHECK(describe_token_json("systemd-pkcs11", "[1,2]") ==
          "systemd-pkcs11: unreadable token JSON");
    CHECK(describe_token_json("", R"({"keyslots":"1"})") == "unknown type (keyslots unreadable)");
    CHECK(describe_token_json("systemd-pkcs11", R"({"keyslots":[1],"pkcs11-uri":"pkcs11:"})") ==
          "systemd-pkcs11 (keyslot ?): pkcs11:");
    std::string long_uri = "pkcs11:" + std::string(500, 'a');
    std::string line = describe_token_json(
        "systemd-pkcs11", (R"({"keyslots":["2"],"pkcs11-uri":")" + long_uri + "\"}").c_str());
    CHECK(line.size() < 250);
    CHECK(line.ends_with("..."));
    CHECK(sanitize("a\tb\xc3\xa9") == "a?b??");
}

TEST_CASE("libcryptsetup errors in plain words", "[storage]")
{
    using rampart::storage::detail::passphrase_failure;
    using rampart::storage::detail::system_failure;
    CHECK(passphrase_failure(-EPERM, false, "op").reason == "the password does not open it");
    CHECK(passphrase_failure(-EPERM, true, "op").reason ==
          "the key from the smartcard does not open it");
    CHECK(passphrase_failure(-EPERM, false, "op").detail == "op: EPERM (Operation not permitted)");
    CHECK(passphrase_failure(-ENOTSUP, false, "op").reason ==
          "device-mapper is not available on this system");
    CHECK(passphrase_failure(-EBUSY, false, "op").reason ==
          "its name is already used by another mapping");
    CHECK_THAT(passphrase_failure(-ENOMEM, false, "op").reason,
               Catch::Contains("not enough memory"));
    CHECK(passphrase_failure(-EACCES, false, "op").reason ==
          "the system refused (permission denied)");
    CHECK(system_failure(-EPERM, "crypt_suspend").reason ==
          "the system refused (permission denied)");
    CHECK(system_failure(-EINVAL, "crypt_suspend").reason ==
          "the system refused (invalid argument)");
    CHECK_THAT(system_failure(-EIO, "op").reason, Catch::Contains("input/output error"));
}
