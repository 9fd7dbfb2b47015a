#include "policy/protocol_policy.hpp"

#include <array>

namespace rampart::policy {

namespace {
constexpr std::array<std::string_view, 17> level_interfaces = {
    "wl_compositor",
    "wl_subcompositor",
    "wl_shm",
    "wl_seat",
    "wl_output",
    "zxdg_output_manager_v1",
    "xdg_wm_base",
    "zxdg_decoration_manager_v1",
    "wl_data_device_manager",
    "zwp_primary_selection_device_manager_v1",
    "wp_viewporter",
    "wp_presentation",
    "zwp_linux_dmabuf_v1",
    "zwp_idle_inhibit_manager_v1",
    "zwp_pointer_constraints_v1",
    "zwp_relative_pointer_manager_v1",
    "xdg_activation_v1",
};
} // namespace

bool interface_allowed(ClientClass client, std::string_view interface)
{
    if (client == ClientClass::trusted)
        return true;
    for (std::string_view allowed : level_interfaces)
        if (interface == allowed)
            return true;
    return false;
}

} // namespace rampart::policy
