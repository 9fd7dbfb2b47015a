// Smartcard unlock against real parts: SoftHSM2 tokens, LUKS2 image files, enrolments made by
// the real systemd-cryptenroll (Debian 12's systemd 252), checks through libcryptsetup without
// device-mapper. The PIN counter and card removal, which SoftHSM2 lacks, come from
// tests/pkcs11's pass-through module in front of SoftHSM2.
#include "token_fixture.hpp"

#include "base64.hpp"
#include "config/config.hpp"
#include "luks_pkcs11.hpp"
#include "pkcs11_token.hpp"
#include "token_unlock.hpp"

#include <catch2/catch.hpp>
#include <libcryptsetup.h>

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

using namespace rampart;
using storage::PinResult;

namespace {

const std::string password = "volume-password-1";

config::StorageConfig
storage_for(std::initializer_list<std::pair<std::string, std::string>> volumes,
            const std::string &module = "")
{
    config::StorageConfig config;
    config.pkcs11_module = module;
    for (const auto &[name, device] : volumes)
        config.volumes.push_back(config::VolumeConfig{name, device, std::nullopt, "owner"});
    return config;
}

storage::TokenUnlock unlock(const storage::TokenMatch &match, const std::string &pin,
                            secure::SecretBuffer &passphrase, bool final_try_confirmed = true)
{
    secure::SecretBuffer pin_buffer;
    pin_buffer.append(std::string_view(pin));
    return storage::derive_volume_passphrase(match, pin_buffer.view(), passphrase,
                                             final_try_confirmed);
}

// The one match for `label`, through `config`.
storage::TokenMatch only_match(const config::StorageConfig &config)
{
    std::vector<std::string> problems;
    const auto matches = storage::match_tokens(storage::present_tokens(config, &problems),
                                               storage::enrolled_tokens(config, &problems));
    INFO("problems: " << (problems.empty() ? "" : problems.front()));
    REQUIRE(matches.size() == 1);
    return matches.front();
}

// The passphrase computed without PKCS#11: openssl decrypts the wrapped key with the PEM copy
// of the card's key (PKCS#1 v1.5), then base64.
std::string passphrase_by_openssl(test::TokenLab &lab, const storage::EnrolledToken &enrolled,
                                  const std::filesystem::path &key)
{
    const auto wrapped = lab.dir() / "wrapped.bin", plain = lab.dir() / "plain.bin";
    std::ofstream(wrapped, std::ios::binary)
        .write(reinterpret_cast<const char *>(enrolled.wrapped_key.data()),
               static_cast<std::streamsize>(enrolled.wrapped_key.size()));
    const auto decrypted = test::run_command({"openssl", "pkeyutl", "-decrypt", "-inkey",
                                              key.string(), "-pkeyopt", "rsa_padding_mode:pkcs1",
                                              "-in", wrapped.string(), "-out", plain.string()});
    REQUIRE(decrypted.status == 0);
    const auto encoded = test::run_command({"base64", "-w0", plain.string()});
    REQUIRE(encoded.status == 0);
    return encoded.output;
}

struct Enrolled {
    test::TokenLab lab;
    std::filesystem::path key, image;
    Enrolled(const std::string &uri = "pkcs11:token=card-a")
    {
        key = lab.add_token("card-a", "123456");
        image = lab.make_volume("home", password);
        const auto enrolled = lab.enroll(image, uri, password, "123456");
        INFO(enrolled.output);
        REQUIRE(enrolled.status == 0);
    }
};

} // namespace

TEST_CASE("base64 matches RFC 4648 and rejects what is not base64", "[token]")
{
    secure::SecretBuffer out;
    const unsigned char foobar[] = {'f', 'o', 'o', 'b', 'a', 'r'};
    for (std::size_t n = 0; n <= 6; ++n) {
        out.clear();
        REQUIRE(storage::base64_encode_secret({foobar, n}, out));
        const char *expected[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        CHECK(std::string(out.data(), out.size()) == expected[n]);
        const auto back = storage::base64_decode(expected[n]);
        REQUIRE(back);
        CHECK(*back == std::vector<unsigned char>(foobar, foobar + n));
    }
    CHECK_FALSE(storage::base64_decode("Zm9v!"));
    CHECK_FALSE(storage::base64_decode("Zg=a"));
    CHECK_FALSE(storage::base64_decode("Zm9"));
    secure::SecretBuffer small(3);
    CHECK_FALSE(storage::base64_encode_secret({foobar, 3}, small));
    CHECK(small.empty());
}

TEST_CASE("a token systemd-cryptenroll enrolled yields the passphrase of its keyslot", "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}});

    std::vector<std::string> problems;
    const auto present = storage::present_tokens(config, &problems);
    REQUIRE(present.size() == 1); // SoftHSM2's empty "free" slot is not a token to offer
    CHECK(present[0].label == "card-a");
    CHECK(present[0].uri.find("token=card-a") != std::string::npos);
    CHECK_FALSE(present[0].pin_count_low);

    const auto enrolled = storage::enrolled_tokens(config, &problems);
    CHECK(problems.empty());
    REQUIRE(enrolled.size() == 1);
    CHECK(enrolled[0].volume == "home");
    CHECK(enrolled[0].keyslots == std::vector<int>{1}); // keyslot 0 holds the password
    CHECK(enrolled[0].pkcs11_uri == "pkcs11:token=card-a");
    CHECK(enrolled[0].wrapped_key.size() == 256); // RSA-2048 ciphertext

    const auto matches = storage::match_tokens(present, enrolled);
    REQUIRE(matches.size() == 1);
    secure::SecretBuffer passphrase;
    const auto result = unlock(matches[0], "123456", passphrase);
    INFO(result.detail);
    REQUIRE(result.result == PinResult::ok);
    CHECK(result.user_message.empty());
    // systemd's derivation: base64 of the 128 random bytes (half the RSA-2048 modulus).
    CHECK(passphrase.size() == 172);
    CHECK(storage::passphrase_opens(matches[0].enrolled, passphrase.view()));
    CHECK(std::string(passphrase.data(), passphrase.size()) ==
          passphrase_by_openssl(setup.lab, enrolled[0], setup.key));

    // Only the token's keyslot: the derived passphrase is not the password's.
    crypt_device *raw = nullptr;
    REQUIRE(crypt_init(&raw, setup.image.c_str()) == 0);
    std::unique_ptr<crypt_device, decltype(&crypt_free)> cd(raw, crypt_free);
    REQUIRE(crypt_load(cd.get(), CRYPT_LUKS2, nullptr) == 0);
    CHECK(crypt_activate_by_passphrase(cd.get(), nullptr, 0, passphrase.data(), passphrase.size(),
                                       0) < 0);
    CHECK(crypt_activate_by_passphrase(cd.get(), nullptr, 1, passphrase.data(), passphrase.size(),
                                       0) == 1);
}

TEST_CASE("an object URI (id) and a 4096-bit key work like systemd-cryptsetup", "[token]")
{
    test::TokenLab lab;
    lab.add_token("card-big", "654321", 4096);
    const auto image = lab.make_volume("data", password);
    const auto enrolled = lab.enroll(image, "pkcs11:token=card-big;id=%01", password, "654321");
    INFO(enrolled.output);
    REQUIRE(enrolled.status == 0);
    const auto match = only_match(storage_for({{"data", image.string()}}));
    CHECK(match.enrolled.pkcs11_uri == "pkcs11:token=card-big;id=%01");
    secure::SecretBuffer passphrase;
    const auto result = unlock(match, "654321", passphrase);
    INFO(result.detail);
    REQUIRE(result.result == PinResult::ok);
    CHECK(passphrase.size() == 344); // base64 of 256 bytes
    CHECK(storage::passphrase_opens(match.enrolled, passphrase.view()));
}

TEST_CASE("a wrong PIN is refused with a message naming the card", "[token]")
{
    Enrolled setup;
    const auto match = only_match(storage_for({{"home", setup.image.string()}}));
    secure::SecretBuffer passphrase;
    const auto result = unlock(match, "000000", passphrase);
    CHECK(result.result == PinResult::wrong_pin);
    CHECK(result.user_message == "Wrong PIN for the card \"card-a\".");
    // SoftHSM2 sets COUNT_LOW after a failure itself (its only PIN state flag).
    CHECK(result.state.pin_count_low);
    CHECK_FALSE(result.state.pin_final_try);
    CHECK(passphrase.empty());
    // And the right PIN still works afterwards (SoftHSM2 has no counter of its own).
    CHECK(unlock(match, "123456", passphrase).result == PinResult::ok);
}

TEST_CASE("the PIN retry counter: count low, final try, locked", "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}}, setup.lab.use_wrapper(3));
    auto match = only_match(config);
    CHECK(match.token.module == config.pkcs11_module);
    CHECK(storage::pin_state_message(match.token).empty());
    secure::SecretBuffer passphrase;

    // A correct PIN after a wrong one resets the counter, as on a card.
    CHECK(unlock(match, "000000", passphrase).result == PinResult::wrong_pin);
    CHECK(unlock(match, "123456", passphrase).result == PinResult::ok);
    CHECK_FALSE(storage::present_tokens(config).at(0).pin_count_low);

    auto first = unlock(match, "000000", passphrase);
    CHECK(first.result == PinResult::wrong_pin);
    CHECK(first.state.pin_count_low);
    CHECK_FALSE(first.state.pin_final_try);
    CHECK(first.user_message == "Wrong PIN for the card \"card-a\".");
    CHECK(storage::pin_state_message(first.state) ==
          "A wrong PIN was entered for the card \"card-a\" since it was last used.");

    auto second = unlock(match, "000000", passphrase);
    CHECK(second.result == PinResult::wrong_pin);
    CHECK(second.state.pin_final_try);
    CHECK(second.user_message ==
          "Wrong PIN for the card \"card-a\". One try left: another wrong PIN locks the card.");
    // What the lock screen shows before asking to confirm the final try.
    const auto before_final = storage::present_tokens(config);
    REQUIRE(before_final.size() == 1);
    CHECK(before_final[0].pin_final_try);
    CHECK(storage::pin_state_message(before_final[0]) ==
          "Final PIN try for the card \"card-a\": a wrong PIN locks the card.");

    auto third = unlock(match, "000000", passphrase);
    CHECK(third.result == PinResult::pin_locked);
    CHECK(third.state.pin_locked);
    CHECK(third.user_message == "Wrong PIN. The PIN of the card \"card-a\" is locked. Ask your "
                                "administrator to unblock the card.");

    // Locked: even the right PIN is refused, and nothing is derived.
    auto locked = unlock(match, "123456", passphrase);
    CHECK(locked.result == PinResult::pin_locked);
    CHECK(passphrase.empty());
    CHECK(locked.user_message ==
          "The PIN of the card \"card-a\" is locked. Ask your administrator to unblock the card.");
    CHECK(storage::present_tokens(config).at(0).pin_locked);
}

TEST_CASE("a PIN outside the card's length limits is refused without spending a try", "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}}, setup.lab.use_wrapper(3));
    auto match = only_match(config);
    // SoftHSM2 says 4 to 255 bytes.
    CHECK(match.token.pin_min_length == 4);
    CHECK(match.token.pin_max_length == 255);
    secure::SecretBuffer passphrase;
    for (const std::string &pin : {std::string("12"), std::string(256, '1')}) {
        auto refused = unlock(match, pin, passphrase);
        CHECK(refused.result == PinResult::wrong_pin);
        CHECK(refused.user_message == "The PIN of the card \"card-a\" has 4 to 255 characters.");
        CHECK(passphrase.empty());
    }
    // No try was spent: no "count low", and one wrong PIN now leaves two of the three.
    CHECK_FALSE(storage::present_tokens(config).at(0).pin_count_low);
    auto wrong = unlock(match, "000000", passphrase);
    CHECK(wrong.result == PinResult::wrong_pin);
    CHECK(wrong.state.pin_count_low);
    CHECK_FALSE(wrong.state.pin_final_try);
    CHECK(unlock(match, "123456", passphrase).result == PinResult::ok);

    storage::TokenInfo limits;
    limits.label.assign(1, 'c'); // not = "c": GCC 12 -Wrestrict misfires under ASan
    limits.pin_min_length = 6;
    CHECK(storage::pin_length_problem(limits, 6).empty());
    CHECK(storage::pin_length_problem(limits, 100000).empty()); // no maximum said
    CHECK(storage::pin_length_problem(limits, 5) ==
          "The PIN of the card \"c\" has at least 6 characters.");
    limits.pin_max_length = 6;
    CHECK(storage::pin_length_problem(limits, 7) == "The PIN of the card \"c\" has 6 characters.");
}

TEST_CASE("a card whose key needs no PIN cannot unlock", "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}}, setup.lab.use_wrapper(3));
    setenv("RAMPART_P11WRAP_NO_LOGIN", "1", 1);
    auto match = only_match(config);
    CHECK_FALSE(match.token.needs_login);
    secure::SecretBuffer passphrase;
    for (const std::string &pin : {std::string("0000"), std::string("123456")}) {
        auto refused = unlock(match, pin, passphrase);
        CHECK(refused.result == PinResult::login_refused);
        CHECK(refused.user_message ==
              "The card \"card-a\" does not check a PIN, so it cannot unlock the screen.");
        CHECK(passphrase.empty());
    }
    unsetenv("RAMPART_P11WRAP_NO_LOGIN");
    CHECK(unlock(only_match(config), "123456", passphrase).result == PinResult::ok);
}

TEST_CASE("a card that reached its final try after the prompt is not logged into unconfirmed",
          "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}}, setup.lab.use_wrapper(3));
    auto match = only_match(config); // read while the card had all its tries
    CHECK_FALSE(match.token.pin_final_try);
    secure::SecretBuffer passphrase;
    // Tries spent elsewhere meanwhile (another program, another prompt).
    REQUIRE(unlock(match, "000000", passphrase).result == PinResult::wrong_pin);
    REQUIRE(unlock(match, "000000", passphrase).result == PinResult::wrong_pin);
    auto unconfirmed = unlock(match, "000000", passphrase, false);
    CHECK(unconfirmed.result == PinResult::final_try_unconfirmed);
    CHECK(unconfirmed.state.pin_final_try);
    CHECK(unconfirmed.user_message ==
          "The card \"card-a\" is now at its final PIN try. Unlock again to confirm using it.");
    // The try was not spent: confirmed, the right PIN still works.
    CHECK(storage::present_tokens(config).at(0).pin_final_try);
    CHECK(unlock(match, "123456", passphrase, true).result == PinResult::ok);
}

TEST_CASE("a card removed during the check gives token_removed", "[token]")
{
    Enrolled setup;
    const auto config = storage_for({{"home", setup.image.string()}}, setup.lab.use_wrapper());
    const auto match = only_match(config);
    secure::SecretBuffer passphrase;
    for (const char *at : {"C_Login", "C_FindObjectsInit", "C_DecryptInit", "C_Decrypt"}) {
        DYNAMIC_SECTION("pulled at " << at)
        {
            std::filesystem::remove(setup.lab.removed_file());
            setenv("RAMPART_P11WRAP_REMOVE_AT", at, 1);
            const auto result = unlock(match, "123456", passphrase);
            INFO(result.detail);
            CHECK(result.result == PinResult::token_removed);
            CHECK(result.user_message == "The card \"card-a\" was removed.");
            CHECK(passphrase.empty());
            unsetenv("RAMPART_P11WRAP_REMOVE_AT");
            CHECK(storage::present_tokens(config).empty());
        }
    }
}

TEST_CASE("a SoftHSM2 token deleted after it was offered gives token_removed", "[token]")
{
    Enrolled setup;
    const auto match = only_match(storage_for({{"home", setup.image.string()}}));
    // SoftHSM2's form of pulling the card: its token directory goes away.
    for (const auto &entry : std::filesystem::directory_iterator(setup.lab.token_dir()))
        std::filesystem::remove_all(entry.path());
    secure::SecretBuffer passphrase;
    const auto result = unlock(match, "123456", passphrase);
    INFO(result.detail);
    CHECK(result.result == PinResult::token_removed);
    CHECK(result.user_message == "The card \"card-a\" was removed.");
    CHECK(passphrase.empty());
}

TEST_CASE("with two tokens present only the enrolled one matches", "[token]")
{
    Enrolled setup;
    setup.lab.add_token("card-b", "222222");
    // card-b is enrolled in a volume that is not configured for this user.
    const auto other = setup.lab.make_volume("other", password);
    REQUIRE(setup.lab.enroll(other, "pkcs11:token=card-b", password, "222222").status == 0);

    const auto config = storage_for({{"home", setup.image.string()}});
    const auto present = storage::present_tokens(config);
    REQUIRE(present.size() == 2);
    const auto matches = storage::match_tokens(present, storage::enrolled_tokens(config));
    REQUIRE(matches.size() == 1);
    CHECK(matches[0].token.label == "card-a");
    CHECK(matches[0].enrolled.volume == "home");

    // card-b's own volume, once configured, matches card-b and only it.
    const auto both = storage_for({{"home", setup.image.string()}, {"other", other.string()}});
    const auto all = storage::match_tokens(present, storage::enrolled_tokens(both));
    REQUIRE(all.size() == 2);
    for (const auto &m : all)
        CHECK((m.token.label == "card-a") == (m.enrolled.volume == "home"));

    // card-b's key cannot open card-a's volume even when forced together.
    storage::TokenMatch forced{all[0].token.label == "card-b" ? all[0].token : all[1].token,
                               matches[0].enrolled};
    secure::SecretBuffer passphrase;
    CHECK(unlock(forced, "222222", passphrase).result != PinResult::ok);
}

TEST_CASE("corrupt systemd-pkcs11 tokens are skipped with a reason", "[token]")
{
    Enrolled setup;
    // systemd's libcryptsetup token plugin validates systemd-pkcs11 JSON when it is written, so
    // these go in with external token plugins disabled, as another tool, an older
    // libcryptsetup or a damaged sector could leave them.
    const char *bad[] = {
        R"({"type":"systemd-pkcs11","keyslots":["1"],"pkcs11-uri":"pkcs11:token=card-a"})",
        R"({"type":"systemd-pkcs11","keyslots":["1"],"pkcs11-uri":"pkcs11:token=card-a","pkcs11-key":"not*base64"})",
        R"({"type":"systemd-pkcs11","keyslots":["1"],"pkcs11-uri":"http://x","pkcs11-key":"AAAA"})",
        R"({"type":"systemd-pkcs11","keyslots":["1"],"pkcs11-uri":"pkcs11:token=card-a","pkcs11-key":42})",
        R"({"type":"systemd-pkcs11","keyslots":[],"pkcs11-uri":"pkcs11:token=card-a","pkcs11-key":"AAAA"})",
        R"({"type":"systemd-pkcs11","keyslots":["1"],"pkcs11-uri":"pkcs11:model=SoftHSM%20v2;id=%01","pkcs11-key":"AAAA"})",
    };
    const auto json_file = setup.lab.dir() / "token.json";
    for (const char *json : bad) {
        std::ofstream(json_file) << json;
        const auto imported =
            test::run_command({"cryptsetup", "token", "import", "--disable-external-tokens",
                               "--json-file", json_file.string(), setup.image.string()});
        INFO(json << ": " << imported.output);
        REQUIRE(imported.status == 0);
    }
    const auto config = storage_for({{"home", setup.image.string()}});
    std::vector<std::string> problems;
    const auto enrolled = storage::enrolled_tokens(config, &problems);
    REQUIRE(enrolled.size() == 1); // systemd-cryptenroll's own token still works
    REQUIRE(problems.size() == 6);
    for (const auto &problem : problems)
        CHECK(problem.rfind("volume home, token ", 0) == 0);
    CHECK(problems[0].find("pkcs11-key is missing") != std::string::npos);
    CHECK(problems[2].find("no valid pkcs11-uri") != std::string::npos);
    CHECK(problems[4].find("names no keyslot") != std::string::npos);
    CHECK(problems[5].find("names no token") != std::string::npos);
    secure::SecretBuffer passphrase;
    CHECK(unlock(only_match(config), "123456", passphrase).result == PinResult::ok);

    // A damaged header: one problem for the volume, nothing enrolled, no crash.
    {
        std::fstream file(setup.image, std::ios::in | std::ios::out | std::ios::binary);
        const std::string zeros(8192, '\0');
        file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
        file.seekp(16384);
        file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    problems.clear();
    CHECK(storage::enrolled_tokens(config, &problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].rfind("volume home: ", 0) == 0);
}

TEST_CASE("parse_systemd_pkcs11_token reads systemd 252's JSON", "[token]")
{
    storage::EnrolledToken token;
    std::string problem;
    const std::string key(256, 'A'); // 192 zero bytes
    REQUIRE(storage::parse_systemd_pkcs11_token(
        R"({"type":"systemd-pkcs11","keyslots":["3"],"pkcs11-uri":"pkcs11:token=x;id=%01","pkcs11-key":")" +
            key + "\"}",
        token, problem));
    CHECK(token.keyslots == std::vector<int>{3});
    CHECK(token.pkcs11_uri == "pkcs11:token=x;id=%01");
    CHECK(token.wrapped_key.size() == 192);
    CHECK_FALSE(storage::parse_systemd_pkcs11_token("{", token, problem));
    CHECK(problem == "its JSON does not parse");
    CHECK_FALSE(storage::parse_systemd_pkcs11_token(R"({"type":"systemd-tpm2"})", token, problem));
    CHECK_FALSE(storage::parse_systemd_pkcs11_token(
        R"({"type":"systemd-pkcs11","keyslots":["-1"],"pkcs11-uri":"pkcs11:","pkcs11-key":"AAAA"})",
        token, problem));
    CHECK(problem == "its keyslot list is malformed");
}

TEST_CASE("the user's own PKCS#11 module list is not loaded once the broker turned it off",
          "[token]")
{
    if (geteuid() != 0) {
        WARN("skipped: needs root to look as another account (p11-kit ignores it for root)");
        return;
    }
    test::TokenLab lab;
    lab.add_token("planted", "123456");
    // What a program of the user could leave in the home directory: a module of its own (a
    // copy of SoftHSM2's, so it loads as a second instance beside the system's registered
    // softhsm2.module, which sees the same token).
    const auto home = lab.dir() / "home";
    const auto planted = lab.dir() / "planted-pkcs11.so";
    std::filesystem::copy_file(test::softhsm_module, planted);
    std::filesystem::create_directories(home / ".config" / "pkcs11" / "modules");
    std::ofstream(home / ".config" / "pkcs11" / "modules" / "planted.module")
        << "module: " << planted.string() << "\n";
    std::filesystem::permissions(lab.dir(), std::filesystem::perms::all);
    for (const auto &entry : std::filesystem::recursive_directory_iterator(lab.dir()))
        std::filesystem::permissions(entry.path(), std::filesystem::perms::all);
    // How many times p11-kit's module list shows the token to an unprivileged account.
    auto look = [&](bool turned_off) {
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
                _exit(100);
            setenv("HOME", home.c_str(), 1);
            unsetenv("XDG_CONFIG_HOME");
            unsetenv("P11_KIT_NO_USER_CONFIG");
            if (turned_off)
                storage::p11::ignore_user_module_config();
            int found = 0;
            for (const storage::TokenInfo &token : storage::present_tokens(config::StorageConfig{}))
                found += token.label == "planted" ? 1 : 0;
            _exit(found);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    const int system_only = look(true);
    const int with_user_list = look(false);
    CHECK(with_user_list == system_only + 1); // the planted module is loaded otherwise
    CHECK(system_only <= 1);
}
