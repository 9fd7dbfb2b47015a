// The storage operations against real LUKS2 image files. This machine has no device-mapper,
// so passphrases are checked in verify_only mode (libcryptsetup's check without activation);
// real mode must say plainly that device-mapper is missing. tests/vm/guest/storage.sh runs
// the real thing with dm-crypt.
#include "luks_image.hpp"
#include "secret_buffer.hpp"
#include "storage/crypt.hpp"
#include "storage/volumes.hpp"

#include <unistd.h>

#include <fstream>

#include <fstream>

#include <catch2/catch.hpp>

using namespace rampart;
using storage::Mode;
using storage::VolumeState;
using storage::test::TempDir;

namespace {

constexpr std::string_view password = "correct horse";

config::VolumeConfig volume(std::string name, std::string device,
                            std::optional<config::OnLock> on_lock = std::nullopt)
{
    return {std::move(name), std::move(device), on_lock, "owner"};
}

// Passphrases go through a SecretBuffer, as in the broker.
struct Secret {
    secure::SecretBuffer buffer;
    explicit Secret(std::string_view text) { buffer.append(text); }
    std::span<const char> view() const { return buffer.view(); }
};

bool has_device_mapper()
{
    return rampart::storage::detail::kernel_has_device_mapper();
}

} // namespace

TEST_CASE("verify_only: the right passphrase opens, a wrong one is named", "[storage]")
{
    TempDir dir;
    std::string image = dir.file("home.img");
    storage::test::format_luks2(image, password);
    config::StorageConfig config;
    config.volumes.push_back(volume("home", image));

    auto right = storage::unlock_volumes(config, Secret(password).view(), Mode::verify_only);
    CHECK(right.ok);
    CHECK(right.user_message.empty());
    CHECK_THAT(right.log_detail, Catch::Contains("home: passphrase verified (keyslot 0)"));

    auto wrong = storage::unlock_volumes(config, Secret("incorrect").view(), Mode::verify_only);
    CHECK_FALSE(wrong.ok);
    CHECK(wrong.user_message ==
          "Volume home could not be unlocked: the password does not open it.");
    CHECK_THAT(wrong.log_detail, Catch::Contains("EPERM"));

    auto empty = storage::unlock_volumes(config, std::span<const char>(), Mode::verify_only);
    CHECK_FALSE(empty.ok);
    CHECK(empty.user_message == wrong.user_message);

    // The token path words it for the smartcard, and tries each of a volume's keys in turn.
    Secret stale("not the key"), current(password);
    using Keys = std::vector<storage::VolumeKeys>;
    auto token = storage::unlock_with_keys(config, Keys{{&config.volumes[0], {stale.view()}}},
                                           Mode::verify_only, storage::Credential::token);
    CHECK_FALSE(token.ok);
    CHECK(token.user_message ==
          "Volume home could not be unlocked: the key from the smartcard does not open it.");
    CHECK(storage::unlock_with_keys(
              config, Keys{{&config.volumes[0], {stale.view(), current.view()}}}, Mode::verify_only)
              .ok);
    CHECK_FALSE(
        storage::unlock_with_keys(config, Keys{{&config.volumes[0], {}}}, Mode::verify_only).ok);
}

TEST_CASE("verify_only: a second keyslot's passphrase opens too", "[storage]")
{
    TempDir dir;
    std::string image = dir.file("home.img");
    storage::test::format_luks2(image, password);
    int slot = storage::test::add_keyslot(image, password, "second secret");
    CHECK(slot == 1);
    config::StorageConfig config;
    config.volumes.push_back(volume("home", image));
    auto outcome =
        storage::unlock_volumes(config, Secret("second secret").view(), Mode::verify_only);
    CHECK(outcome.ok);
    CHECK_THAT(outcome.log_detail, Catch::Contains("keyslot 1"));
    // Binary passphrases (a token's output) pass through unchanged, NUL bytes included.
    const char binary[] = {'a', '\0', 'b'};
    storage::test::add_keyslot(image, password, std::string_view(binary, sizeof binary));
    CHECK(storage::unlock_volumes(config, std::span(binary, sizeof binary), Mode::verify_only).ok);
    CHECK_FALSE(storage::unlock_volumes(config, std::span(binary, 1), Mode::verify_only).ok);
}

TEST_CASE("devices that are missing, not LUKS2, or damaged are named in plain words", "[storage]")
{
    TempDir dir;
    config::StorageConfig config;
    Secret secret(password);

    config.volumes = {volume("home", dir.file("absent.img"))};
    auto missing = storage::unlock_volumes(config, secret.view(), Mode::verify_only);
    CHECK_FALSE(missing.ok);
    CHECK(missing.user_message == "Volume home could not be unlocked: its device " +
                                      dir.file("absent.img") + " is missing.");

    std::string plain = dir.file("plain.img");
    storage::test::make_plain_file(plain, 4u << 20);
    config.volumes = {volume("data", plain)};
    auto not_luks = storage::unlock_volumes(config, secret.view(), Mode::verify_only);
    CHECK(not_luks.user_message == "Volume data could not be unlocked: it is not a LUKS2 volume.");

    std::string old = dir.file("old.img");
    storage::test::format_luks1(old, password);
    config.volumes = {volume("old", old)};
    CHECK(storage::unlock_volumes(config, secret.view(), Mode::verify_only).user_message ==
          "Volume old could not be unlocked: it is not a LUKS2 volume (it is LUKS1; convert it "
          "with cryptsetup convert --type luks2).");

    config.volumes = {volume("data", dir.path())};
    CHECK_THAT(storage::unlock_volumes(config, secret.view(), Mode::verify_only).user_message,
               Catch::Contains("is neither a block device nor an image file"));

    // Both header copies (primary at 0, secondary at 16 KiB) damaged in their JSON areas.
    std::string damaged = dir.file("damaged.img");
    storage::test::format_luks2(damaged, password);
    storage::test::scribble(damaged, 4096 + 64, 512);
    storage::test::scribble(damaged, 16384 + 4096 + 64, 512);
    config.volumes = {volume("home", damaged)};
    auto corrupt = storage::unlock_volumes(config, secret.view(), Mode::verify_only);
    CHECK_FALSE(corrupt.ok);
    CHECK(corrupt.user_message ==
          "Volume home could not be unlocked: its LUKS2 header is damaged.");
    auto listed = storage::status(config);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].state == VolumeState::unknown);
    CHECK(listed[0].error == "its LUKS2 header is damaged");
}

TEST_CASE("a damaged primary header is read from the secondary copy", "[storage]")
{
    TempDir dir;
    std::string image = dir.file("home.img");
    storage::test::format_luks2(image, password);
    storage::test::scribble(image, 4096 + 64, 512);
    config::StorageConfig config;
    config.volumes = {volume("home", image)};
    CHECK(storage::unlock_volumes(config, Secret(password).view(), Mode::verify_only).ok);
}

TEST_CASE("two volumes: the failing one is named; the first is not rolled back in verify_only",
          "[storage]")
{
    TempDir dir;
    std::string home = dir.file("home.img"), data = dir.file("data.img");
    storage::test::format_luks2(home, password);
    storage::test::format_luks2(data, "a different one");
    config::StorageConfig config;
    config.on_lock = config::OnLock::suspend;
    config.volumes = {volume("home", home), volume("data", data)};
    auto outcome = storage::unlock_volumes(config, Secret(password).view(), Mode::verify_only);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.user_message ==
          "Volume data could not be unlocked: the password does not open it.");
    CHECK_THAT(outcome.log_detail,
               Catch::Contains("home: passphrase verified") && Catch::Contains("data: failed"));
    // The same passphrase in both: both open.
    storage::test::add_keyslot(data, "a different one", password);
    CHECK(storage::unlock_volumes(config, Secret(password).view(), Mode::verify_only).ok);
}

TEST_CASE("status lists each volume, its policy and its tokens", "[storage]")
{
    TempDir dir;
    std::string home = dir.file("home.img"), data = dir.file("data.img");
    storage::test::format_luks2(home, password);
    storage::test::format_luks2(data, password);
    storage::test::add_keyslot(home, password, "card");
    storage::test::add_token(home, R"({"type":"systemd-pkcs11","keyslots":["1"],)"
                                   R"("pkcs11-uri":"pkcs11:token=Rampart%20card;serial=42",)"
                                   R"("pkcs11-key":"AAAA"})");
    // Malformed in every way libcryptsetup still accepts: no usable URI, hostile text.
    storage::test::add_token_unvalidated(
        home, R"({"type":"systemd-pkcs11","keyslots":[],"pkcs11-uri":42})");
    storage::test::add_token_unvalidated(home, R"({"type":"systemd-pkcs11","keyslots":["0"]})");
    storage::test::add_token_unvalidated(home, "{\"type\":\"systemd-pkcs11\",\"keyslots\":[\"0\"],"
                                               "\"pkcs11-uri\":\"pkcs11:\\u001b[31mred\\n\"}");
    storage::test::add_token(home, R"({"type":"x-other","keyslots":["0","1"],"n":[1,{}]})");
    config::StorageConfig config;
    config.volumes = {volume("home", home, config::OnLock::suspend), volume("data", data),
                      volume("gone", dir.file("gone.img"))};

    auto list = storage::status(config);
    REQUIRE(list.size() == 3);
    CHECK(list[0].name == "home");
    CHECK(list[0].device == home);
    CHECK(list[0].state == VolumeState::inactive); // no device-mapper here, or not mapped
    CHECK(list[0].policy == config::OnLock::suspend);
    REQUIRE(list[0].tokens.size() == 5);
    CHECK(list[0].tokens[0] == "systemd-pkcs11 (keyslot 1): pkcs11:token=Rampart%20card;serial=42");
    CHECK(list[0].tokens[1] == "systemd-pkcs11 (no keyslot): no valid pkcs11-uri");
    CHECK(list[0].tokens[2] == "systemd-pkcs11 (keyslot 0): no valid pkcs11-uri");
    CHECK(list[0].tokens[3] == "systemd-pkcs11 (keyslot 0): pkcs11:?[31mred?");
    CHECK(list[0].tokens[4] == "x-other (keyslots 0, 1)");
    CHECK(list[1].state == VolumeState::inactive);
    CHECK(list[1].policy == config::OnLock::keep);
    CHECK(list[1].tokens.empty());
    CHECK(list[2].state == VolumeState::missing);
    CHECK(list[2].error == "its device " + dir.file("gone.img") + " is missing");
    if (!has_device_mapper())
        CHECK_THAT(list[0].error, Catch::Contains("device-mapper is not available"));
    CHECK(std::string(storage::to_string(VolumeState::suspended)) == "suspended");
}

TEST_CASE("real mode without device-mapper says so and changes nothing", "[storage]")
{
    if (has_device_mapper()) {
        WARN("device-mapper is present: this case is for machines without it");
        return;
    }
    TempDir dir;
    std::string home = dir.file("home.img");
    storage::test::format_luks2(home, password);
    config::StorageConfig config;
    config.volumes = {volume("home", home, config::OnLock::suspend),
                      volume("scratch", dir.file("scratch.img"), config::OnLock::keep)};

    auto unlock = storage::unlock_volumes(config, Secret(password).view(), Mode::real);
    CHECK_FALSE(unlock.ok);
    CHECK_THAT(unlock.user_message,
               Catch::StartsWith("Volume home could not be unlocked: device-mapper is not "
                                 "available on this system"));
    Secret key(password);
    auto one = storage::unlock_with_keys(
        config, std::vector<storage::VolumeKeys>{{&config.volumes[0], {key.view()}}}, Mode::real);
    CHECK_FALSE(one.ok);
    CHECK_THAT(one.user_message, Catch::Contains("device-mapper is not available"));

    // Only suspend volumes are touched at lock; scratch (keep, and missing) is not looked at.
    auto lock = storage::lock_volumes(config, Mode::real);
    CHECK_FALSE(lock.ok);
    CHECK_THAT(lock.user_message,
               Catch::StartsWith("Volume home could not be suspended: device-mapper is not "
                                 "available"));
    CHECK(lock.log_detail.find("scratch") == std::string::npos);
    config.volumes[0].on_lock = config::OnLock::keep;
    auto keep = storage::lock_volumes(config, Mode::real);
    CHECK(keep.ok);
    CHECK(keep.log_detail.empty());
}

TEST_CASE("verify_only lock checks the headers and suspends nothing", "[storage]")
{
    TempDir dir;
    std::string home = dir.file("home.img");
    storage::test::format_luks2(home, password);
    config::StorageConfig config;
    config.on_lock = config::OnLock::suspend;
    config.volumes = {volume("home", home)};
    auto lock = storage::lock_volumes(config, Mode::verify_only);
    CHECK(lock.ok);
    CHECK_THAT(lock.log_detail, Catch::Contains("verify_only"));
    config.volumes.push_back(volume("gone", dir.file("gone.img")));
    lock = storage::lock_volumes(config, Mode::verify_only);
    CHECK_FALSE(lock.ok);
    CHECK(lock.user_message == "Volume gone could not be suspended: its device " +
                                   dir.file("gone.img") + " is missing.");
}

TEST_CASE("the test hook is read from the environment", "[storage]")
{
    ::unsetenv(storage::verify_only_variable);
    CHECK(storage::mode_from_environment() == Mode::real);
    ::setenv(storage::verify_only_variable, "1", 1);
    CHECK(storage::mode_from_environment() == Mode::verify_only);
    ::setenv(storage::verify_only_variable, "yes", 1);
    CHECK(storage::mode_from_environment() == Mode::real);
    ::unsetenv(storage::verify_only_variable);
}
