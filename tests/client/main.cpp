// rampart-test-client: a scriptable Wayland client for integration tests and benchmarks.
// See `rampart-test-client --help`; events are JSON lines on stdout with --log.
#include <cstdio>
#include <csignal>

#include "client.hpp"
#include "options.hpp"

int main(int argc, char **argv)
{
    using namespace rampart::test_client;
    std::string error;
    std::optional<Options> options = parse_options(argc, argv, error);
    if (!options) {
        std::fprintf(stderr, "rampart-test-client: %s (see --help)\n", error.c_str());
        return 2;
    }
    // A test reading our stdout may go away first; a write error beats dying silently.
    std::signal(SIGPIPE, SIG_IGN);
    Client client(std::move(*options));
    return client.run();
}
