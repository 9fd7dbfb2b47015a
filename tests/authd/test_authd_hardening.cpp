// rampart-authd end to end, the limits a hostile peer runs into: an answered check cut short
// is held for the failure delay, idle instances end, a success for a rewritten PAM_USER is
// denied, and inherited descriptors are closed even when close_range fails.
#include "authd_checks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

using namespace rampart;
using namespace rampart::authd_test;
using Clock = std::chrono::steady_clock;

namespace {

// A wrong password gets past pam_matrix (required, so the stack goes on) into a module that
// never returns: the hash is done, the failure delay is not, and the peer may cancel.
const std::string hang_after_answer =
    "auth required @MATRIX@\nauth required @TEST@ hang\n" + account_ok;

// Sends the wrong answer to attempt `attempt` and waits until it is surely being checked.
void answer_wrong(Broker &broker, std::uint32_t attempt)
{
    broker.send(auth::encode(auth::Start{attempt, auth::Method::password}));
    receive<auth::Prompt>(broker);
    broker.send_answer(attempt, "not-the-password");
    CHECK_FALSE(broker.next(300ms).has_value());
}

BrokerOptions socket_activated()
{
    BrokerOptions options;
    options.socket_activated = true;
    return options;
}

} // namespace

TEST_CASE("a cancel after an answer holds the result for the failure delay", "[authd]")
{
    PamServiceDir services(random_secret(), hang_after_answer);
    Broker broker(services, socket_activated());
    answer_wrong(broker, 60);
    const auto cancelled_at = Clock::now();
    broker.send(auth::encode(auth::Cancel{60}));
    // A start right behind the cancel is not a violation: it waits in the socket.
    broker.send(auth::encode(auth::Start{61, auth::Method::password}));
    const auto result = receive<auth::Result>(broker);
    const auto held = Clock::now() - cancelled_at;
    CHECK(result.attempt == 60);
    CHECK(result.status == auth::Status::cancelled);
    CHECK(held >= 2s);
    CHECK(held < 4s);
    // Then the queued start is served.
    CHECK(receive<auth::Prompt>(broker).attempt == 61);

    SECTION("a cancel before any answer is not held")
    {
        const auto again = Clock::now();
        broker.send(auth::encode(auth::Cancel{61}));
        CHECK(receive<auth::Result>(broker).status == auth::Status::cancelled);
        CHECK(Clock::now() - again < 1s);
    }
}

TEST_CASE("a cancel is held for PAM's own failure delay when that is longer", "[authd]")
{
    // 6 s asked, randomised by libpam to 3-9 s: longer than the 2 s minimum.
    PamServiceDir services(random_secret(), "auth required @TEST@ fail_delay_us=6000000\n"
                                            "auth requisite @MATRIX@\n" +
                                                account_ok);
    Broker broker(services, socket_activated());
    answer_wrong(broker, 62); // the child now sleeps the delay before its result
    const auto cancelled_at = Clock::now();
    broker.send(auth::encode(auth::Cancel{62}));
    const auto result = receive<auth::Result>(broker, 15s);
    CHECK(result.status == auth::Status::cancelled);
    CHECK(Clock::now() - cancelled_at >= 2900ms);
}

TEST_CASE("hanging up after an answer: the instance lingers for the failure delay", "[authd]")
{
    PamServiceDir services(random_secret(), hang_after_answer);
    Broker broker(services, socket_activated());
    answer_wrong(broker, 63);
    const pid_t child = broker.wait_for_child();
    REQUIRE(child > 0);
    const auto hung_up_at = Clock::now();
    broker.close_connection();
    // The PAM child dies at once; the instance (and its connection slot) only after the wait.
    CHECK(process_gone(child, 1s));
    const auto status = broker.wait_exit();
    CHECK(Clock::now() - hung_up_at >= 2s);
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("socket activated: an instance with no check started exits", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, matrix_stack);
    BrokerOptions options = socket_activated();
    options.extra_args = {"--idle-timeout-ms", "300"};
    Broker broker(services, options);
    SECTION("after connecting") {}
    SECTION("after its last result")
    {
        CHECK(check_password(broker, 64, password).status == auth::Status::success);
    }
    const auto idle_from = Clock::now();
    const auto status = broker.wait_exit(5s);
    REQUIRE(status.has_value());
    CHECK(Clock::now() - idle_from >= 250ms);
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(broker.wait_closed(1s));
}

TEST_CASE("socket activated: a running check is not idle", "[authd]")
{
    PamServiceDir services("x", "auth required @TEST@ hang\n" + account_ok);
    BrokerOptions options = socket_activated();
    options.extra_args = {"--idle-timeout-ms", "200"};
    Broker broker(services, options);
    broker.send(auth::encode(auth::Start{65, auth::Method::password}));
    REQUIRE(broker.wait_for_child() > 0);
    CHECK_FALSE(broker.wait_exit(800ms).has_value());
    CHECK_FALSE(broker.connection_closed());
}

TEST_CASE("--idle-timeout-ms is refused with --fd (the compositor ends those)", "[authd]")
{
    PamServiceDir services("x", matrix_stack);
    BrokerOptions options;
    options.extra_args = {"--idle-timeout-ms", "300"};
    Broker broker(services, options);
    const auto status = broker.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 2);
}

TEST_CASE("a success for another PAM_USER than the broker's user is denied", "[authd]")
{
    const std::string password = random_secret();
    SECTION("a module rewrote PAM_USER")
    {
        PamServiceDir services(password, "auth required @MATRIX@\n"
                                         "auth required @TEST@ set_user=rampart-someone-else\n" +
                                             account_ok);
        Broker broker(services);
        const auto result = check_password(broker, 66, password);
        CHECK(result.status == auth::Status::denied);
        CHECK(result.text == "This account may not unlock now.");
    }
    SECTION("set to the same name it still unlocks")
    {
        PamServiceDir services(password, "auth required @MATRIX@\nauth required @TEST@ set_user=" +
                                             current_user_name() + "\n" + account_ok);
        Broker broker(services);
        CHECK(check_password(broker, 67, password).status == auth::Status::success);
    }
}

TEST_CASE("p11-kit in the broker never reads the user's own module config", "[authd]")
{
    // A program of the user could put a module in ~/.config/pkcs11 and have it loaded into the
    // process that sees the PIN: P11_KIT_NO_USER_CONFIG=1 turns that off (what it does to
    // p11-kit is tested in tests/token). The PAM check runs in the same process the card code
    // does, so the test module can see the variable there.
    const std::string password = random_secret();
    const std::string expected = GENERATE(std::string("1"), std::string("0"));
    PamServiceDir services(password, "auth required @MATRIX@\nauth required @TEST@ "
                                     "env=P11_KIT_NO_USER_CONFIG=" +
                                         expected + "\n" + account_ok);
    BrokerOptions options;
    options.env = {{"P11_KIT_NO_USER_CONFIG", "0"}}; // what a hostile parent would pass
    Broker broker(services, options);
    CHECK(check_password(broker, 68, password).status ==
          (expected == "1" ? auth::Status::success : auth::Status::denied));
}

TEST_CASE("inherited descriptors are closed, through /proc/self/fd if close_range fails", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, matrix_stack);
    // A pipe's write end left to the broker: its read end sees end of file only once the
    // broker (the one other holder) has closed it.
    int pipe_fds[2];
    REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
    const int inherited = fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, 20);
    close(pipe_fds[1]);
    REQUIRE(inherited >= 20);
    BrokerOptions options;
    options.inherit = {inherited};
    SECTION("close_range works") {}
    SECTION("close_range fails")
    {
        options.fd_shim = true;
    }
    Broker broker(services, options);
    close(inherited);
    CHECK(check_password(broker, 68, password).status == auth::Status::success);
    pollfd watched{pipe_fds[0], POLLIN, 0};
    REQUIRE(poll(&watched, 1, 5000) == 1); // else read() would block
    char byte = 0;
    CHECK(read(pipe_fds[0], &byte, 1) == 0);
    close(pipe_fds[0]);
}

TEST_CASE("close_range and /proc/self/fd both failing: the broker exits 2", "[authd]")
{
    PamServiceDir services("x", matrix_stack);
    BrokerOptions options;
    options.fd_shim = true;
    options.env = {{"RAMPART_TEST_NO_PROC_FD", "1"}};
    Broker broker(services, options);
    const auto status = broker.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 2);
    CHECK(broker.wait_closed(1s));
}
