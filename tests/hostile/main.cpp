// rampart-hostile-client: a Wayland client that attacks the compositor's rules one attack per
// run and reports exactly what happened, as JSON lines on stdout (see --help).
#include <cstdio>

#include "attacks.hpp"
#include "connection.hpp"

using namespace rampart::hostile;

int main(int argc, char **argv)
{
    std::string error;
    auto options = parse_options(argc, argv, error);
    if (!options) {
        std::fprintf(stderr, "rampart-hostile-client: %s\n", error.c_str());
        return exit_usage;
    }
    if (!install_signal_handling())
        return report_setup_failure(*options, "cannot set up signal handling");
    switch (options->attack) {
    case Attack::list_globals: return run_list_globals(*options);
    case Attack::list_privileged: return run_list_privileged(*options);
    case Attack::bind_by_name: return run_bind_by_name(*options);
    case Attack::bind_by_number: return run_bind_by_number(*options);
    case Attack::many_windows: return run_many_windows(*options);
    case Attack::huge_title: return run_huge_title(*options);
    case Attack::keylogger: return run_keylogger(*options);
    case Attack::evil_title:
    case Attack::fake_frame:
    case Attack::subsurface_over:
    case Attack::popup_escape:
    case Attack::output_sized: return run_surface_attack(*options);
    }
    return exit_usage;
}
