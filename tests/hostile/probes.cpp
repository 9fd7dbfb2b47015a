#include "probes.hpp"

#include <deque>

#include "probe_helpers.hpp"
#include "viewporter-client-protocol.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "wlr-data-control-unstable-v1-client-protocol.h"
#include "wlr-export-dmabuf-unstable-v1-client-protocol.h"
#include "wlr-foreign-toplevel-management-unstable-v1-client-protocol.h"
#include "wlr-gamma-control-unstable-v1-client-protocol.h"
#include "wlr-input-inhibitor-unstable-v1-client-protocol.h"
#include "wlr-output-management-unstable-v1-client-protocol.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"
#include "xdg-activation-v1-client-protocol.h"
#define namespace namespace_ // the header names a parameter `namespace`
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#undef namespace

namespace rampart::hostile {

const std::vector<KnownInterface> &known_interfaces()
{
    static const std::vector<KnownInterface> table = {
        // Privileged: hidden from ordinary clients, refused at bind.
        {&zwlr_screencopy_manager_v1_interface, 3, true, &probe_screencopy},
        {&zwlr_export_dmabuf_manager_v1_interface, 1, true, &probe_export_dmabuf},
        {&zwlr_layer_shell_v1_interface, 4, true, &probe_layer_shell},
        {&zwp_virtual_keyboard_manager_v1_interface, 1, true, &probe_virtual_keyboard},
        {&zwlr_virtual_pointer_manager_v1_interface, 2, true, &probe_virtual_pointer},
        {&zwlr_data_control_manager_v1_interface, 2, true, &probe_data_control},
        {&zwlr_input_inhibit_manager_v1_interface, 1, true, &probe_input_inhibitor},
        {&zwlr_foreign_toplevel_manager_v1_interface, 3, true, &probe_foreign_toplevel},
        {&zwlr_gamma_control_manager_v1_interface, 1, true, &probe_gamma_control},
        {&zwlr_output_manager_v1_interface, 2, true, &probe_output_management},
        // Allowed to ordinary clients; a roundtrip is the probe (no listeners are set, so
        // libwayland drops whatever events the bind triggers).
        {&wl_compositor_interface, 4, false, nullptr},
        {&wl_subcompositor_interface, 1, false, nullptr},
        {&wl_shm_interface, 1, false, nullptr},
        {&wl_seat_interface, 8, false, nullptr},
        {&wl_output_interface, 4, false, nullptr},
        {&wl_data_device_manager_interface, 3, false, nullptr},
        {&xdg_wm_base_interface, 5, false, nullptr},
        {&zxdg_decoration_manager_v1_interface, 1, false, nullptr},
        {&xdg_activation_v1_interface, 1, false, nullptr},
        {&wp_viewporter_interface, 1, false, nullptr},
    };
    return table;
}

const KnownInterface *find_known_interface(std::string_view name)
{
    for (const KnownInterface &known : known_interfaces())
        if (name == known.interface->name)
            return &known;
    return nullptr;
}

const wl_interface &stub_interface(std::string_view name)
{
    // A deque never moves its elements, so the interfaces' name pointers stay valid.
    static std::deque<std::string> names;
    static std::deque<wl_interface> interfaces;
    for (const wl_interface &interface : interfaces)
        if (name == interface.name)
            return interface;
    names.emplace_back(name);
    interfaces.push_back({names.back().c_str(), 1, 0, nullptr, 0, nullptr});
    return interfaces.back();
}

ProbeOutcome bind_and_probe(ProbeContext &context, uint32_t name, const wl_interface &interface,
                            uint32_t version)
{
    ProxyOwner proxy(static_cast<wl_proxy *>(
        wl_registry_bind(context.connection.registry(), name, &interface, version)));
    // A probe sets its listeners before its first wait, since some globals send events right
    // after the bind; that wait also shows whether the bind was refused.
    const KnownInterface *known = find_known_interface(interface.name);
    if (known && known->probe)
        return known->probe(context, proxy);
    if (context.connection.roundtrip())
        return {false, "bound; the connection survived a roundtrip"};
    return early_end(context);
}

} // namespace rampart::hostile
