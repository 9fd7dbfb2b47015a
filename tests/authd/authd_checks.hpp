// Catch2 helpers shared by the authd test files.
#pragma once

#include "authd_harness.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

namespace rampart::authd_test {

inline const std::string account_ok = "account required @TEST@\n";
inline const std::string matrix_stack = "auth required @MATRIX@\n" + account_ok;

template <class T> T receive(Broker &broker, std::chrono::milliseconds timeout = 10s)
{
    auto message = broker.next(timeout);
    INFO("connection closed: " << broker.connection_closed());
    REQUIRE(message.has_value());
    const T *value = std::get_if<T>(&*message);
    REQUIRE(value != nullptr);
    return *value;
}

// start -> password prompt -> answer -> result.
inline auth::Result check_password(Broker &broker, std::uint32_t attempt,
                                   const std::string &password)
{
    broker.send(auth::encode(auth::Start{attempt, auth::Method::password}));
    const auto prompt = receive<auth::Prompt>(broker);
    CHECK(prompt.attempt == attempt);
    CHECK(prompt.style == auth::PromptStyle::secret);
    broker.send_answer(attempt, password);
    const auto result = receive<auth::Result>(broker);
    CHECK(result.attempt == attempt);
    return result;
}

// The broker closed the connection and exited 1 (a protocol violation or a refused peer).
inline void require_closed_and_exited(Broker &broker)
{
    REQUIRE(broker.wait_closed());
    const auto status = broker.wait_exit();
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 1);
}

} // namespace rampart::authd_test
