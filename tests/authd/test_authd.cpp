// rampart-authd end to end, PAM behaviour: the real broker binary, the real libpam through
// pam_wrapper, pam_matrix as the password database and pam_rampart_test.so for the rest.
#include "authd_checks.hpp"

using namespace rampart;
using namespace rampart::authd_test;

TEST_CASE("the right password unlocks, and the connection serves the next check", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, matrix_stack);
    Broker broker(services);
    const auto result = check_password(broker, 7, password);
    CHECK(result.status == auth::Status::success);
    CHECK(result.delay_ms == 0);
    CHECK(result.text.empty());
    // One connection, one check at a time, as many checks as needed.
    CHECK(check_password(broker, 8, password).status == auth::Status::success);
    CHECK(broker.children().empty());
}

TEST_CASE("a wrong password is denied after the failure delay the PAM stack asked for", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, "auth required @TEST@ fail_delay_us=400000\n" + matrix_stack);
    Broker broker(services);
    const auto started = std::chrono::steady_clock::now();
    const auto denied = check_password(broker, 1, "not-" + password);
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(denied.status == auth::Status::denied);
    // libpam randomises the delay by up to half either way.
    CHECK(denied.delay_ms >= 200);
    CHECK(denied.delay_ms <= 600);
    CHECK(waited >= std::chrono::milliseconds(denied.delay_ms) - 20ms);

    SECTION("success never waits")
    {
        const auto again = std::chrono::steady_clock::now();
        const auto success = check_password(broker, 2, password);
        CHECK(success.status == auth::Status::success);
        CHECK(success.delay_ms == 0);
        CHECK(std::chrono::steady_clock::now() - again < 250ms);
    }
}

TEST_CASE("a two-prompt stack is answered prompt by prompt", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password,
                           "auth required @MATRIX@\n"
                           "auth required @TEST@ [prompt=One-time code: ] expect=123456\n" +
                               account_ok);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{3, auth::Method::password}));
    receive<auth::Prompt>(broker);
    broker.send_answer(3, password);
    const auto second = receive<auth::Prompt>(broker);
    CHECK(second.text == "One-time code: ");
    CHECK(second.style == auth::PromptStyle::secret);

    SECTION("right code")
    {
        broker.send_answer(3, "123456");
        CHECK(receive<auth::Result>(broker).status == auth::Status::success);
    }
    SECTION("wrong code")
    {
        broker.send_answer(3, "654321");
        CHECK(receive<auth::Result>(broker).status == auth::Status::denied);
    }
}

TEST_CASE("a visible prompt is relayed as visible", "[authd]")
{
    PamServiceDir services("x", "auth required @TEST@ [prompt=Your name: ] visible expect=ada\n" +
                                    account_ok);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{4, auth::Method::password}));
    const auto prompt = receive<auth::Prompt>(broker);
    CHECK(prompt.style == auth::PromptStyle::visible);
    CHECK(prompt.text == "Your name: ");
    broker.send_answer(4, "ada");
    CHECK(receive<auth::Result>(broker).status == auth::Status::success);
}

TEST_CASE("info and error messages are relayed in order", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, "auth required @TEST@ [info=Touch your key] "
                                     "[error=Key not found]\n" +
                                         matrix_stack);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{5, auth::Method::password}));
    const auto info = receive<auth::Notice>(broker);
    CHECK_FALSE(info.is_error);
    CHECK(info.text == "Touch your key");
    const auto error = receive<auth::Notice>(broker);
    CHECK(error.is_error);
    CHECK(error.text == "Key not found");
    receive<auth::Prompt>(broker);
    broker.send_answer(5, password);
    CHECK(receive<auth::Result>(broker).status == auth::Status::success);
}

TEST_CASE("expired accounts and passwords are reported with a text for the user", "[authd]")
{
    const std::string password = random_secret();
    SECTION("account")
    {
        PamServiceDir services(password,
                               "auth required @MATRIX@\naccount required @TEST@ acct=expired\n");
        Broker broker(services);
        const auto result = check_password(broker, 6, password);
        CHECK(result.status == auth::Status::expired);
        CHECK(result.text == "Your account has expired. Contact your administrator.");
    }
    SECTION("password")
    {
        PamServiceDir services(
            password, "auth required @MATRIX@\naccount required @TEST@ acct=new_authtok\n");
        Broker broker(services);
        const auto result = check_password(broker, 6, password);
        CHECK(result.status == auth::Status::expired);
        CHECK(result.text == "Your password has expired and must be changed before it can "
                             "unlock this screen. Ask your administrator.");
    }
    SECTION("a wrong password on an expired account is just denied")
    {
        PamServiceDir services(password,
                               "auth required @MATRIX@\naccount required @TEST@ acct=expired\n");
        Broker broker(services);
        CHECK(check_password(broker, 6, "wrong").status == auth::Status::denied);
    }
}

TEST_CASE("a broken PAM stack is unavailable", "[authd]")
{
    SECTION("a module error")
    {
        PamServiceDir services("x", "auth required @TEST@ auth=system_err\n" + account_ok);
        Broker broker(services);
        broker.send(auth::encode(auth::Start{9, auth::Method::password}));
        const auto result = receive<auth::Result>(broker);
        CHECK(result.status == auth::Status::unavailable);
        CHECK_FALSE(result.text.empty());
    }
    SECTION("a service with no configuration")
    {
        PamServiceDir services("x", matrix_stack);
        BrokerOptions options;
        options.extra_args = {"--pam-service", "rampart-missing"};
        Broker broker(services, options);
        broker.send(auth::encode(auth::Start{9, auth::Method::password}));
        CHECK(receive<auth::Result>(broker).status == auth::Status::unavailable);
    }
    SECTION("the token method is not served")
    {
        PamServiceDir services("x", matrix_stack);
        Broker broker(services);
        broker.send(auth::encode(auth::Start{9, auth::Method::token}));
        CHECK(receive<auth::Result>(broker).status == auth::Status::unavailable);
    }
}
