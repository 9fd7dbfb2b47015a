#include "policy/protocol_policy.hpp"
#include "util/event_log.hpp"

#include <catch2/catch.hpp>

using rampart::policy::ClientClass;
using rampart::policy::interface_allowed;

TEST_CASE("ordinary clients get the allow-list and nothing that captures or injects", "[policy]")
{
    for (const char *allowed :
         {"wl_compositor", "wl_subcompositor", "wl_shm", "wl_seat", "wl_output", "xdg_wm_base",
          "zxdg_decoration_manager_v1", "wl_data_device_manager", "wp_viewporter",
          "wp_presentation", "xdg_activation_v1", "zxdg_output_manager_v1", "zwp_linux_dmabuf_v1"})
        CHECK(interface_allowed(ClientClass::level, allowed));
    for (const char *refused :
         {"zwlr_screencopy_manager_v1", "zwlr_export_dmabuf_manager_v1", "zwlr_layer_shell_v1",
          "zwp_virtual_keyboard_manager_v1", "zwlr_virtual_pointer_manager_v1",
          "zwlr_input_inhibit_manager_v1", "zwp_keyboard_shortcuts_inhibit_manager_v1",
          "zwlr_data_control_manager_v1", "zwlr_foreign_toplevel_manager_v1",
          "zwlr_gamma_control_manager_v1", "zwlr_output_manager_v1", "zwp_input_method_manager_v2",
          "an_interface_nobody_knows", "", "wl_compositor ", "WL_COMPOSITOR"})
        CHECK_FALSE(interface_allowed(ClientClass::level, refused));
    CHECK(interface_allowed(ClientClass::trusted, "zwlr_screencopy_manager_v1"));
}

TEST_CASE("event log escapes what clients control", "[eventlog]")
{
    using rampart::EventLog;
    CHECK(EventLog::json_escape("plain") == "plain");
    CHECK(EventLog::json_escape("a\"b\\c") == "a\\\"b\\\\c");
    CHECK(EventLog::json_escape("line\nbreak\x01") == "line\\nbreak\\u0001");

    EventLog log;
    std::string seen;
    log.observer = [&](const std::string &line) { seen = line; };
    log.emit("view_title",
             {{"title", std::string("evil\"},{\"event\":\"fake")}, {"n", int64_t{3}}});
    CHECK(seen.find("\"event\":\"view_title\"") != std::string::npos);
    CHECK(seen.find("evil\\\"},{\\\"event\\\":\\\"fake") != std::string::npos);
    CHECK(seen.back() == '\n');
}
