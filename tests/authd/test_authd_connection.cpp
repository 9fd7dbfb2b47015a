// rampart-authd end to end, the connection and process rules: hung modules, cancel,
// SIGKILL, malformed frames, SO_PEERCRED, socket activation, and no secret left behind.
#include "authd_checks.hpp"

#include <unistd.h>

#include <csignal>
#include <fstream>

using namespace rampart;
using namespace rampart::authd_test;
TEST_CASE("a hung PAM module: the peer leaving kills the child and ends the broker", "[authd]")
{
    PamServiceDir services("x", "auth required @TEST@ hang\n" + account_ok);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{10, auth::Method::password}));
    const pid_t child = broker.wait_for_child();
    REQUIRE(child > 0);
    CHECK_FALSE(broker.next(200ms).has_value()); // hanging: nothing comes
    broker.close_connection();
    const auto status = broker.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(process_gone(child));
}

TEST_CASE("a cancel kills the hung child and the connection goes on", "[authd]")
{
    PamServiceDir services("x", "auth required @TEST@ hang\n" + account_ok);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{11, auth::Method::password}));
    const pid_t child = broker.wait_for_child();
    REQUIRE(child > 0);
    broker.send(auth::encode(auth::Cancel{11}));
    const auto result = receive<auth::Result>(broker);
    CHECK(result.attempt == 11);
    CHECK(result.status == auth::Status::cancelled);
    CHECK(process_gone(child));
    CHECK(broker.children().empty());
    // A cancel that crossed the result on the wire is ignored.
    broker.send(auth::encode(auth::Cancel{11}));
    broker.send(auth::encode(auth::Start{12, auth::Method::password}));
    CHECK(broker.wait_for_child() > 0);
    CHECK_FALSE(broker.connection_closed());
}

TEST_CASE("SIGKILL of the broker kills its PAM child", "[authd]")
{
    PamServiceDir services("x", "auth required @TEST@ hang\n" + account_ok);
    Broker broker(services);
    broker.send(auth::encode(auth::Start{13, auth::Method::password}));
    const pid_t child = broker.wait_for_child();
    REQUIRE(child > 0);
    kill(broker.pid(), SIGKILL);
    REQUIRE(broker.wait_exit().has_value());
    CHECK(process_gone(child, 5s));
}

TEST_CASE("malformed or out-of-order frames end the connection", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, matrix_stack);
    Broker broker(services);
    const auto start = auth::encode(auth::Start{20, auth::Method::password});
    std::string raw(start.begin(), start.end());

    SECTION("unknown type")
    {
        raw[4] = 99;
        broker.send_raw(raw);
    }
    SECTION("length beyond the maximum payload")
    {
        broker.send_raw(std::string("\xff\xff\x00\x00\x01", 5));
    }
    SECTION("payload longer than its type")
    {
        raw[0] = 6;
        broker.send_raw(raw + "x");
    }
    SECTION("payload shorter than its type")
    {
        raw[0] = 4;
        broker.send_raw(raw.substr(0, raw.size() - 1));
    }
    SECTION("unknown method")
    {
        raw.back() = 9;
        broker.send_raw(raw);
    }
    SECTION("invalid UTF-8 in a text")
    {
        auto frame = auth::encode(auth::Notice{20, false, "ab"});
        frame[frame.size() - 1] = 0xff;
        broker.send(frame);
    }
    SECTION("a message only the broker sends")
    {
        broker.send(auth::encode(auth::Result{20, auth::Status::success, 0, ""}));
    }
    SECTION("an answer with no prompt")
    {
        broker.send_answer(20, password);
    }
    SECTION("an answer with a NUL byte")
    {
        broker.send(start);
        receive<auth::Prompt>(broker);
        broker.send_answer(20, std::string(password + '\0' + "tail"));
    }
    SECTION("a second start during a check")
    {
        broker.send(start);
        receive<auth::Prompt>(broker);
        broker.send(auth::encode(auth::Start{21, auth::Method::password}));
    }
    SECTION("an answer for another attempt")
    {
        broker.send(start);
        receive<auth::Prompt>(broker);
        broker.send_answer(21, password);
    }
    SECTION("a cancel for no check")
    {
        broker.send(auth::encode(auth::Cancel{20}));
    }
    require_closed_and_exited(broker);
    CHECK(broker.children().empty());
}

TEST_CASE("a peer of another uid is refused (SO_PEERCRED)", "[authd]")
{
    if (getuid() != 0) {
        WARN("skipped: needs root to run the broker as another uid (65534)");
        return;
    }
    // The broker runs as nobody; the socketpair was made by us (root): uids differ.
    PamServiceDir services("x", matrix_stack);
    BrokerOptions options;
    options.run_as = 65534;
    Broker broker(services, options);
    broker.send(auth::encode(auth::Start{30, auth::Method::password}));
    CHECK_FALSE(broker.next().has_value());
    CHECK(broker.connection_closed());
    const auto status = broker.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 1);
}

TEST_CASE("socket activated: the peer's uid names the user", "[authd]")
{
    const std::string password = random_secret();
    PamServiceDir services(password, matrix_stack);
    BrokerOptions options;
    options.socket_activated = true;
    Broker broker(services, options);
    CHECK(check_password(broker, 40, password).status == auth::Status::success);
}

TEST_CASE("after a check the password is nowhere in the broker's memory", "[authd]")
{
    const std::string password = random_secret(32);
    const std::string code = random_secret(12);
    // The code is in a file only the PAM child reads: the broker parent reads the service
    // file (pam_wrapper does), so the code must not be written there.
    PamServiceDir services(password, "auth requisite @MATRIX@\nauth required @TEST@ "
                                     "[prompt=Code: ] expect=@DIR@/code\n" +
                                         account_ok);
    std::ofstream(services.data_dir() + "/code") << code << "\n";
    Broker broker(services);
    broker.send(auth::encode(auth::Start{50, auth::Method::password}));
    receive<auth::Prompt>(broker);
    broker.send_answer(50, password);
    receive<auth::Prompt>(broker);
    broker.send_answer(50, code);
    REQUIRE(receive<auth::Result>(broker).status == auth::Status::success);
    // And a denied one, which leaves PAM's failure path behind too.
    CHECK(check_password(broker, 51, password + "x").status == auth::Status::denied);

    // Under ASan, its shadow and allocator reserve terabytes that cannot be read in a test's
    // time; only mappings up to 1 GiB are scanned there (the plain build scans everything).
    const std::size_t largest = built_with_asan() ? std::size_t{1} << 30 : SIZE_MAX;
    MemoryScan scan;
    try {
        scan = scan_memory(broker.pid(), password, largest);
    } catch (const std::exception &error) {
        if (getuid() != 0) {
            WARN("skipped: cannot read the broker's memory without root: " << error.what());
            return;
        }
        FAIL("root cannot read the broker's memory: " << error.what());
    }
    if (scan.mappings_skipped)
        WARN("ASan build: " << scan.mappings_skipped << " mappings over 1 GiB not scanned");
    // The scan sees the broker: its environment is in there.
    REQUIRE(scan_memory(broker.pid(), "PAM_WRAPPER_SERVICE_DIR=" + services.path(), largest).found);
    CHECK(scan.bytes_read > 0);
    for (const auto &mapping : scan.where)
        UNSCOPED_INFO("found in " << mapping);
    CHECK_FALSE(scan.found);
    const auto code_scan = scan_memory(broker.pid(), code, largest);
    for (const auto &mapping : code_scan.where)
        UNSCOPED_INFO("code found in " << mapping);
    CHECK_FALSE(code_scan.found);
}
