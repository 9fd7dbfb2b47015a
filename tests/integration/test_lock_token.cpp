// Issue 6 through the lock screen, smartcard path: the compositor and its real broker, real
// PAM (pam_wrapper, pam_matrix), SoftHSM2 tokens enrolled in LUKS2 image files by the real
// systemd-cryptenroll (tests/token's fixture), checked against the keyslots
// (RAMPART_STORAGE_VERIFY_ONLY=1: no device-mapper here). The PIN retry counter and card
// removal come from tests/pkcs11's pass-through module in front of SoftHSM2.
#include "support/scoped_env.hpp"
#include "lock_fixtures.hpp"
#include "support/pam_fixture.hpp"
#include "token_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>

using namespace rampart;
using namespace rampart::test;

namespace {

const std::string volume_password = "volume-password-1";
const std::string pin = "123456";

struct CardOptions {
    bool wrapper = false;               // through the retry/removal module, not SoftHSM2 alone
    std::string card_removal = "";      // "lock", "ignore" or unset
    bool unenrolled_card_first = false; // a second token, enrolled nowhere, in the first slot
};

// Volume "home" (the password in keyslot 0) with "card-a" enrolled by systemd-cryptenroll,
// PAM accepting the same password, and the system config that names them for the broker.
struct CardLock {
    ScopedEnv verify_only{"RAMPART_STORAGE_VERIFY_ONLY", "1"};
    TokenLab lab; // points SOFTHSM2_CONF (inherited by the broker) at its own token directory
    PamFixture pam{std::span(volume_password.data(), volume_password.size()),
                   PamFixture::matrix_stack};
    std::filesystem::path image;
    std::filesystem::path key; // card-a's private key as PEM (for tests that forge enrolments)
    std::string config;

    explicit CardLock(const CardOptions &options)
    {
        if (options.unenrolled_card_first)
            lab.add_token("card-b", "222222");
        key = lab.add_token("card-a", pin);
        image = lab.make_volume("home", volume_password);
        const auto enrolled = lab.enroll(image, "pkcs11:token=card-a", volume_password, pin);
        INFO(enrolled.output);
        REQUIRE(enrolled.status == 0);
        // A module path rather than p11-kit's list: that list is the system's.
        const std::string module = options.wrapper ? lab.use_wrapper(3) : softhsm_module;
        config = "[storage]\npkcs11_module = \"" + module + "\"\nuser = \"" + current_user_name() +
                 "\"\n";
        if (!options.card_removal.empty())
            config += "card_removal = \"" + options.card_removal + "\"\n";
        config += "[[volume]]\nname = \"home\"\ndevice = \"" + image.string() + "\"\n";
    }

    void set_tries_left(int tries) { std::ofstream(lab.counter_file()) << tries << "\n"; }
    std::optional<int> tries_left() const
    {
        std::ifstream file(lab.counter_file());
        int tries = -1;
        if (file >> tries)
            return tries;
        return std::nullopt;
    }
};

const std::string card_a_prompt = "PIN for the card \"card-a\": ";
const std::string card_a_count_low_prompt =
    "PIN for the card \"card-a\" (a wrong PIN was entered before): ";

std::size_t prompts_saying(Harness &h, const std::string &text)
{
    return h.server_event_count("lock_prompt", {{"text", text}});
}

// Backspace `count` times.
void erase(Harness &h, int count)
{
    for (int i = 0; i < count; ++i) {
        h.key(KEY_BACKSPACE, true);
        h.key(KEY_BACKSPACE, false);
    }
}

// Locks and unlocks with the card's PIN.
void unlock_with_card(Harness &h)
{
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 1; }, 15000ms));
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
}

} // namespace

TEST_CASE("an enrolled card present: the lock screen asks its PIN, which unlocks", "[lock][token]")
{
    CardLock card({});
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until(
        [&] { return h.server().lock_screen->shown() && prompts_saying(h, card_a_prompt) == 1; },
        15000ms));
    CHECK(h.server().lock_screen->controller().prompt_text() == card_a_prompt);
    CHECK_FALSE(h.server().lock_screen->controller().prompt_visible());
    h.type_text("123");
    Image image = h.capture(0);
    CHECK(image.write_png(Harness::artefact_path("lock-token-pin.png")));
    erase(h, 3);
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
    CHECK_FALSE(h.server().locked());
}

TEST_CASE("a wrong PIN keeps the screen locked and names the card", "[lock][token]")
{
    CardLock card({});
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 1; }, 15000ms));
    answer(h, "000000");
    REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == 1; }, 15000ms));
    CHECK(h.server().locked());
    // The next attempt asks the card again, its prompt saying the PIN count is low, and the
    // "Wrong PIN" stays on screen: no PIN-state notice replaces it (only the final try is
    // announced before the PIN).
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_count_low_prompt) == 1; }, 15000ms));
    CHECK(h.server().lock_screen->controller().message() == "Wrong PIN for the card \"card-a\".");
    CHECK(h.server_event_count("lock_notice") == 0);
    CHECK(h.server().lock_screen->controller().failures() == 1);
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
}

TEST_CASE("the final PIN try is confirmed first; anything but yes spends nothing", "[lock][token]")
{
    CardLock card({.wrapper = true});
    card.set_tries_left(1);
    Harness h({.config_text = card.config});
    const std::string confirm =
        "This is the last PIN try for the card \"card-a\". Type yes to use it: ";
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, confirm) == 1; }, 15000ms));
    CHECK(h.server_event_count(
              "lock_notice",
              {{"text", "Final PIN try for the card \"card-a\": a wrong PIN locks the card."},
               {"error", "true"}}) == 1);
    CHECK(h.server().lock_screen->controller().prompt_visible()); // the answer is shown
    // Before typing: typing clears an error message, as for any prompt.
    h.capture(0).write_png(Harness::artefact_path("lock-token-final-try.png"));
    h.type_text("no");
    h.key(KEY_ENTER, true);
    h.key(KEY_ENTER, false);
    // Cancelled, not a failure: no try spent, no failure counted, the question comes again.
    REQUIRE(h.wait_until([&] { return prompts_saying(h, confirm) == 2; }, 15000ms));
    CHECK(h.server_event_count("auth_not_accepted",
                               {{"status", std::to_string(int(auth::Status::cancelled))}}) == 1);
    CHECK(h.server_event_count("auth_failed") == 0);
    CHECK(prompts_saying(h, card_a_prompt) == 0);
    CHECK(card.tries_left() == 1);
    CHECK(h.server().locked());

    answer(h, "yes");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 1; }, 15000ms));
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
    CHECK(card.tries_left() == 3); // a right PIN resets the counter, as on a card
}

TEST_CASE("a card whose PIN count is low says so in the PIN prompt", "[lock][token]")
{
    // A wrong PIN was typed since the card was last used (here, or in another machine).
    CardLock card({.wrapper = true});
    card.set_tries_left(2);
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_count_low_prompt) == 1; }, 15000ms));
    CHECK(h.server_event_count("lock_notice") == 0);
    h.type_text("12");
    h.capture(0).write_png(Harness::artefact_path("lock-token-count-low.png"));
    erase(h, 2);
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
    CHECK(card.tries_left() == 3);
}

TEST_CASE("a locked PIN: the notice, then the password prompt instead", "[lock][token]")
{
    CardLock card({.wrapper = true});
    card.set_tries_left(0);
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(wait_lock_ready(h));
    REQUIRE(h.wait_until([&] { return h.server_event_count("lock_prompt") == 1; }, 15000ms));
    const std::string locked_text =
        "The PIN of the card \"card-a\" is locked. Ask your administrator to unblock the card.";
    CHECK(h.server_event_count("lock_notice", {{"text", locked_text}, {"error", "true"}}) == 1);
    CHECK(h.server().lock_screen->controller().message() == locked_text);
    const std::string prompt = h.server().lock_screen->controller().prompt_text();
    INFO(prompt);
    CHECK(prompt.find("PIN") == std::string::npos); // PAM's password prompt
    h.capture(0).write_png(Harness::artefact_path("lock-token-pin-locked.png"));
    answer(h, volume_password);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
    CHECK(card.tries_left() == 0); // the card was not touched
}

TEST_CASE("two cards present, one enrolled: the enrolled one is asked for", "[lock][token]")
{
    CardLock card({.unenrolled_card_first = true});
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return h.server_event_count("lock_prompt") == 1; }, 15000ms));
    CHECK(h.server().lock_screen->controller().prompt_text() == card_a_prompt);
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
}

TEST_CASE("card_removal = lock: pulling the card that unlocked locks the screen",
          "[lock][token][removal]")
{
    const bool wrapper = GENERATE(true, false);
    INFO((wrapper ? "removal trigger of the wrapper module" : "SoftHSM2 token deleted"));
    CardLock card({.wrapper = wrapper, .card_removal = "lock"});
    Harness h({.config_text = card.config});
    unlock_with_card(h);
    // The card stays in: nothing happens over a few looks.
    CHECK_FALSE(h.wait_until([&] { return h.server_event_count("token_removed") > 0; }, 4500ms));
    CHECK_FALSE(h.server().locked());

    if (wrapper) {
        std::ofstream(card.lab.removed_file()).put('\n');
    } else {
        for (const auto &entry : std::filesystem::directory_iterator(card.lab.token_dir()))
            std::filesystem::remove_all(entry.path());
    }
    REQUIRE(h.wait_until(
        [&] {
            return h.server_event_count("lock", {{"reason", "card-removed"}}) == 1;
        },
        10000ms));
    CHECK(h.server().locked());
    CHECK(h.server_event_count("token_removed", {{"text", "The card \"card-a\" was removed."}}) ==
          1);
    // The card is gone, so the new lock asks for the password.
    REQUIRE(h.wait_until([&] { return h.server_event_count("lock_prompt") == 2; }, 15000ms));
    CHECK(h.server().lock_screen->controller().prompt_text().find("PIN") == std::string::npos);
    answer(h, volume_password);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 2; }, 15000ms));
}

TEST_CASE("card_removal = ignore: pulling the card leaves the session unlocked",
          "[lock][token][removal]")
{
    CardLock card({.wrapper = true, .card_removal = "ignore"});
    Harness h({.config_text = card.config});
    unlock_with_card(h);
    std::ofstream(card.lab.removed_file()).put('\n');
    // The broker reports it either way; the policy decides.
    REQUIRE(h.wait_until([&] { return h.server_event_count("token_removed") == 1; }, 10000ms));
    CHECK_FALSE(h.wait_until([&] { return h.server().locked(); }, 1500ms));
    CHECK(h.server_event_count("lock", {{"reason", "card-removed"}}) == 0);
}

TEST_CASE("an empty PIN is refused without reaching the card", "[lock][token]")
{
    CardLock card({});
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 1; }, 15000ms));
    answer(h, "");
    REQUIRE(h.wait_until([&] { return h.server_event_count("auth_failed") == 1; }, 15000ms));
    CHECK(h.server().locked());
    CHECK(h.server().lock_screen->controller().message() == "Type the card's PIN.");
}

TEST_CASE("the card does not let a refused account in: PAM's account step runs too",
          "[lock][token]")
{
    CardLock card({});
    // The card and its PIN are right; the account has expired.
    card.pam.set_stack("auth required @MATRIX@\naccount required @TEST@ acct=expired\n");
    Harness h({.config_text = card.config});
    h.server().lock("test");
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 1; }, 15000ms));
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("auth_not_accepted") == 1; }, 15000ms));
    CHECK(h.server().locked());
    CHECK(h.server_event_count("unlocked") == 0);
    CHECK(h.server().lock_screen->controller().message() ==
          "Your account has expired. Contact your administrator.");
    // The same PIN once the account is allowed again: it was the account step that refused.
    card.pam.set_stack(PamFixture::matrix_stack);
    REQUIRE(h.wait_until([&] { return prompts_saying(h, card_a_prompt) == 2; }, 15000ms));
    answer(h, pin);
    REQUIRE(h.wait_until([&] { return h.server_event_count("unlocked") == 1; }, 15000ms));
}

TEST_CASE("a stale enrolment of the card before the current one does not block the unlock",
          "[lock][token]")
{
    CardLock card({});
    // What re-enrolling can leave behind: token 0 wraps a secret that opens no keyslot (made
    // with the card's own public key, so the card decrypts it fine), token 1 is the real one.
    const auto dir = card.lab.dir();
    const std::string image = card.image.string();
    const auto exported =
        test::run_command({"cryptsetup", "token", "export", "--token-id", "0", image});
    REQUIRE(exported.status == 0);
    const std::string real_json = exported.output;
    REQUIRE(test::run_command({"sh", "-c",
                               "head -c 32 /dev/urandom >" + (dir / "stale.bin").string() +
                                   " && openssl pkeyutl -encrypt -inkey " + card.key.string() +
                                   " -pkeyopt rsa_padding_mode:pkcs1 -in " +
                                   (dir / "stale.bin").string() + " -out " +
                                   (dir / "stale.enc").string()})
                .status == 0);
    const auto stale_key = test::run_command({"base64", "-w0", (dir / "stale.enc").string()});
    REQUIRE(stale_key.status == 0);
    const auto key_at = real_json.find("\"pkcs11-key\":\"");
    REQUIRE(key_at != std::string::npos);
    const auto key_start = key_at + std::string("\"pkcs11-key\":\"").size();
    const std::string stale_json = real_json.substr(0, key_start) + stale_key.output +
                                   real_json.substr(real_json.find('"', key_start));
    std::ofstream(dir / "stale.json") << stale_json;
    std::ofstream(dir / "real.json") << real_json;
    REQUIRE(test::run_command({"cryptsetup", "token", "remove", "--token-id", "0", image}).status ==
            0);
    for (const auto &[id, file] : {std::pair{"0", "stale.json"}, std::pair{"1", "real.json"}}) {
        const auto imported = test::run_command({"cryptsetup", "token", "import", "--token-id", id,
                                                 "--json-file", (dir / file).string(), image});
        INFO(imported.output);
        REQUIRE(imported.status == 0);
    }
    Harness h({.config_text = card.config});
    unlock_with_card(h);
}
