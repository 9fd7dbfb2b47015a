// Card removal in the real broker (issue 6): after a smartcard unlock, rampart-authd watches
// that token and sends one `event` (token_removed) when it goes; never after a password
// unlock, never in the middle of a check. Real rampart-authd, real PAM (pam_wrapper and
// pam_matrix), SoftHSM2 tokens enrolled by the real systemd-cryptenroll, LUKS2 image files
// checked against their keyslots (RAMPART_STORAGE_VERIFY_ONLY=1: no device-mapper here).
#include "authd_harness.hpp"
#include "token_fixture.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

using namespace rampart;
using namespace rampart::authd_test;
using namespace std::chrono_literals;

namespace {

const std::string volume_password = "volume-password-1";
const std::string pin = "123456";

// A token "card-a" enrolled in volume "home", the broker's config naming it, PAM accepting
// the volume's password, and the broker itself.
struct CardSetup {
    test::TokenLab lab;
    std::filesystem::path image;
    std::string config_path;
    PamServiceDir pam{volume_password, "auth required @MATRIX@\naccount required @MATRIX@\n"};
    std::unique_ptr<Broker> broker;

    // `wrapper`: through tests/pkcs11's module (removal by its trigger file); else SoftHSM2
    // through p11-kit's module list (removal by deleting its token directory).
    // `socket_args`: run socket activated with these arguments; `install` then puts the
    // config where that broker reads it, and `real_authd` is the broker the script runs.
    // `owner`: the account the volume belongs to.
    CardSetup(bool wrapper, std::vector<std::string> socket_args = {},
              const std::function<void(const std::string &)> &install = {},
              const std::string &real_authd = {}, const std::string &owner = current_user_name())
    {
        lab.add_token("card-a", pin);
        image = lab.make_volume("home", volume_password);
        const auto enrolled = lab.enroll(image, "pkcs11:token=card-a", volume_password, pin);
        INFO(enrolled.output);
        REQUIRE(enrolled.status == 0);
        config_path = (lab.dir() / "rampart.toml").string();
        std::ofstream config(config_path);
        config << "[storage]\nuser = \"" << owner << "\"\n";
        // p11-kit's own list would be the system's (no SoftHSM2 there); the module path is
        // the admin's other choice, and the one both ways go through.
        config << "pkcs11_module = \""
               << (wrapper ? lab.use_wrapper() : std::string(test::softhsm_module)) << "\"\n";
        config << "[[volume]]\nname = \"home\"\ndevice = \"" << image.string() << "\"\n";
        config.close();
        BrokerOptions options;
        options.env = {{"RAMPART_STORAGE_VERIFY_ONLY", "1"}};
        if (install) {
            install(config_path);
            options.socket_activated = true;
            options.extra_args = socket_args;
            options.env.emplace_back("RAMPART_REAL_AUTHD", real_authd);
        } else {
            options.extra_args = {"--config", config_path};
        }
        broker = std::make_unique<Broker>(pam, options);
    }

    void remove_card(bool wrapper)
    {
        if (wrapper) {
            std::ofstream(lab.removed_file()).put('\n');
            return;
        }
        for (const auto &entry : std::filesystem::directory_iterator(lab.token_dir()))
            std::filesystem::remove_all(entry.path());
    }

    // One automatic check answered with `secret` at its (first) prompt; the result.
    auth::Result check(std::uint32_t attempt, const std::string &secret,
                       std::string *prompt_text = nullptr)
    {
        broker->send(auth::encode(auth::Start{attempt, auth::Method::automatic}));
        for (;;) {
            auto message = broker->next(20s);
            REQUIRE(message);
            if (const auto *prompt = std::get_if<auth::Prompt>(&*message)) {
                if (prompt_text)
                    *prompt_text = prompt->text;
                broker->send_answer(attempt, secret);
            } else if (const auto *result = std::get_if<auth::Result>(&*message)) {
                return *result;
            } else {
                REQUIRE_FALSE(std::holds_alternative<auth::Event>(*message)); // never mid-check
                REQUIRE_FALSE(std::holds_alternative<auth::StorageDone>(*message)); // internal
            }
        }
    }
};

// Every message in `span`, for counting events.
std::vector<auth::Message> messages_for(Broker &broker, std::chrono::milliseconds span)
{
    std::vector<auth::Message> got;
    const auto until = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < until) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (auto message = broker.next(std::max(left, 1ms)))
            got.push_back(*message);
        else if (broker.connection_closed())
            break;
    }
    return got;
}

std::size_t count_events(const std::vector<auth::Message> &messages)
{
    return static_cast<std::size_t>(
        std::count_if(messages.begin(), messages.end(), [](const auth::Message &m) {
            return std::holds_alternative<auth::Event>(m);
        }));
}

// The socket-activated broker reads only /etc/rampart/rampart.toml. While this lives,
// RAMPART_AUTHD names a script that runs the real broker in a mount namespace of its own
// where an overlay over /etc holds the test's config; that takes root.
struct SystemBrokerNamespace {
    // False (with a warning: the test is skipped) without root and mount namespaces.
    static bool available()
    {
        if (geteuid() == 0 && test::run_command({"unshare", "-m", "true"}).status == 0)
            return true;
        WARN("skipped: needs root and mount namespaces");
        return false;
    }

    test::TokenLab outer; // the overlay's directories; outlives the broker
    std::filesystem::path upper = outer.dir() / "etc-upper", work = outer.dir() / "etc-work";
    std::string real_authd = std::getenv("RAMPART_AUTHD");

    SystemBrokerNamespace()
    {
        std::filesystem::create_directories(upper / "rampart");
        std::filesystem::create_directories(work);
        const auto script = outer.dir() / "authd-in-namespace.sh";
        std::ofstream(script) << "#!/bin/sh\n"
                              << "exec unshare -m sh -c 'mount -t overlay overlay -o "
                              << "lowerdir=/etc,upperdir=" << upper.string()
                              << ",workdir=" << work.string()
                              << " /etc && exec \"$0\" \"$@\"' \"$RAMPART_REAL_AUTHD\" \"$@\"\n";
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
        setenv("RAMPART_AUTHD", script.c_str(), 1);
    }
    ~SystemBrokerNamespace() { setenv("RAMPART_AUTHD", real_authd.c_str(), 1); }
    SystemBrokerNamespace(const SystemBrokerNamespace &) = delete;
    SystemBrokerNamespace &operator=(const SystemBrokerNamespace &) = delete;

    std::function<void(const std::string &)> installer()
    {
        return [this](const std::string &config) {
            std::filesystem::copy_file(config, upper / "rampart" / "rampart.toml");
        };
    }
};

} // namespace

TEST_CASE("after a smartcard unlock, pulling the card sends one token_removed event",
          "[token][authd][removal]")
{
    const bool wrapper = GENERATE(true, false);
    INFO((wrapper ? "removal trigger of the wrapper module" : "SoftHSM2 token deleted"));
    CardSetup setup(wrapper);
    std::string prompt;
    const auth::Result result = setup.check(1, pin, &prompt);
    INFO(result.text);
    REQUIRE(result.status == auth::Status::success);
    CHECK(prompt == "PIN for the card \"card-a\": ");

    // The card stays: nothing is said (several looks happen meanwhile).
    CHECK(count_events(messages_for(*setup.broker, 5s)) == 0);

    setup.remove_card(wrapper);
    auto message = setup.broker->next(8s); // within a look or two
    REQUIRE(message);
    const auto *event = std::get_if<auth::Event>(&*message);
    REQUIRE(event);
    CHECK(event->attempt == 0);
    CHECK(event->kind == auth::EventKind::token_removed);
    CHECK(event->text == "The card \"card-a\" was removed.");
    // Once: watching ended with the event.
    CHECK(count_events(messages_for(*setup.broker, 5s)) == 0);
    CHECK_FALSE(setup.broker->connection_closed());
}

TEST_CASE("a card that can no longer be checked counts as removed after three looks",
          "[token][authd][removal]")
{
    // The reader service died: the module no longer initialises. card_removal = lock must
    // not turn into "never", and one failed look must not lock.
    CardSetup setup(true);
    REQUIRE(setup.check(1, pin).status == auth::Status::success);
    std::ofstream(setup.lab.broken_file()).put('\n');
    const auto broken_at = std::chrono::steady_clock::now();
    auto message = setup.broker->next(20s);
    REQUIRE(message);
    const auto *event = std::get_if<auth::Event>(&*message);
    REQUIRE(event);
    CHECK(event->kind == auth::EventKind::token_removed);
    CHECK(event->text == "The card \"card-a\" can no longer be checked.");
    // Not at the first failed look (one every 2 s).
    CHECK(std::chrono::steady_clock::now() - broken_at >= 4s);
    CHECK(count_events(messages_for(*setup.broker, 3s)) == 0);
}

TEST_CASE("a password unlock watches no card", "[token][authd][removal]")
{
    CardSetup setup(true);
    // The card's PIN is locked: the broker says so and asks the password (PAM) instead.
    std::ofstream(setup.lab.counter_file()) << "0\n";
    std::string prompt;
    const auth::Result result = setup.check(1, volume_password, &prompt);
    INFO(result.text);
    REQUIRE(result.status == auth::Status::success);
    CHECK(prompt.find("PIN") == std::string::npos);
    setup.remove_card(true);
    CHECK(count_events(messages_for(*setup.broker, 6s)) == 0);
}

TEST_CASE("a failed PIN check watches no card", "[token][authd][removal]")
{
    CardSetup setup(true);
    const auth::Result result = setup.check(1, "000000");
    CHECK(result.status == auth::Status::denied);
    setup.remove_card(true);
    CHECK(count_events(messages_for(*setup.broker, 6s)) == 0);
}

TEST_CASE("the next start ends the watch and no event comes during a check",
          "[token][authd][removal]")
{
    CardSetup setup(true);
    REQUIRE(setup.check(1, pin).status == auth::Status::success);
    // A new lock: the broker is asked again and the user takes their time at the prompt,
    // during which the card is pulled. The check sees that (a wrong state, not an event).
    setup.broker->send(auth::encode(auth::Start{2, auth::Method::automatic}));
    auto first = setup.broker->next(20s);
    REQUIRE(first);
    REQUIRE(std::holds_alternative<auth::Prompt>(*first));
    setup.remove_card(true);
    const auto during = messages_for(*setup.broker, 5s);
    CHECK(during.empty());
    setup.broker->send_answer(2, pin);
    auto end = setup.broker->next(20s);
    REQUIRE(end);
    const auto *result = std::get_if<auth::Result>(&*end);
    REQUIRE(result);
    CHECK(result->status == auth::Status::denied);
    CHECK(result->text == "The card \"card-a\" was removed.");
    // And afterwards neither: the watch of the first unlock ended at the second start.
    CHECK(count_events(messages_for(*setup.broker, 5s)) == 0);
}

TEST_CASE("a storage lock request ends the watch", "[token][authd][removal]")
{
    CardSetup setup(true);
    REQUIRE(setup.check(1, pin).status == auth::Status::success);
    setup.broker->send(auth::encode(auth::StorageRequest{2, auth::StorageOp::lock}));
    auto done = setup.broker->next(20s);
    REQUIRE(done);
    REQUIRE(std::holds_alternative<auth::StorageDone>(*done));
    setup.remove_card(true);
    CHECK(count_events(messages_for(*setup.broker, 6s)) == 0);
}

TEST_CASE("a storage status request pauses the watch; it goes on afterwards",
          "[token][authd][removal]")
{
    CardSetup setup(true);
    REQUIRE(setup.check(1, pin).status == auth::Status::success);
    std::this_thread::sleep_for(2500ms); // a look is due: the status job must hold it back
    setup.broker->send(auth::encode(auth::StorageRequest{2, auth::StorageOp::status}));
    auto done = setup.broker->next(20s);
    REQUIRE(done);
    REQUIRE(std::holds_alternative<auth::StorageDone>(*done));
    setup.remove_card(true);
    auto message = setup.broker->next(8s);
    REQUIRE(message);
    const auto *event = std::get_if<auth::Event>(&*message);
    REQUIRE(event);
    CHECK(event->text == "The card \"card-a\" was removed.");
}

TEST_CASE("a socket-activated instance does not idle out while it watches a card",
          "[token][authd][removal]")
{
    if (!SystemBrokerNamespace::available())
        return;
    SystemBrokerNamespace system;
    CardSetup setup(true, {"--idle-timeout-ms", "1500"}, system.installer(), system.real_authd);
    REQUIRE(setup.check(1, pin).status == auth::Status::success);
    // Well past the idle timeout: still there, watching.
    CHECK_FALSE(setup.broker->wait_exit(5s));
    setup.remove_card(true);
    auto message = setup.broker->next(8s);
    REQUIRE(message);
    CHECK(std::holds_alternative<auth::Event>(*message));
    // The watch is over: now it idles out as usual.
    const auto status = setup.broker->wait_exit(6s);
    REQUIRE(status);
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("socket activated: a peer gets only the volumes its account owns",
          "[token][authd][storage]")
{
    if (!SystemBrokerNamespace::available())
        return;
    // The volume, and the card enrolled in it, belong to another account: this peer (root,
    // by SO_PEERCRED) may not see the volume, suspend it, or be offered its card.
    SystemBrokerNamespace system;
    CardSetup setup(true, {}, system.installer(), system.real_authd, "someone-else");
    setup.broker->send(auth::encode(auth::StorageRequest{1, auth::StorageOp::status}));
    auto status = setup.broker->next(20s);
    REQUIRE(status);
    const auto *done = std::get_if<auth::StorageDone>(&*status);
    REQUIRE(done);
    CHECK(done->text == "No encrypted volumes are configured.");
    setup.broker->send(auth::encode(auth::StorageRequest{2, auth::StorageOp::lock}));
    auto locked = setup.broker->next(20s);
    REQUIRE(locked);
    REQUIRE(std::holds_alternative<auth::StorageDone>(*locked));
    CHECK(std::get<auth::StorageDone>(*locked).ok);
    // The card is present and enrolled, but not for this user: the password is asked.
    std::string prompt;
    CHECK(setup.check(3, volume_password, &prompt).status == auth::Status::success);
    CHECK(prompt.find("PIN") == std::string::npos);
}
