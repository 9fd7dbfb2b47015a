// Probes for the protocols that overlay, inject or intercept input: layer shell, virtual
// keyboard and pointer, data control (clipboard), input inhibitor.
#include <memory>
#include <optional>
#include <vector>

#include "probe_helpers.hpp"
#include "shm.hpp"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "wlr-data-control-unstable-v1-client-protocol.h"
#include "wlr-input-inhibitor-unstable-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"
// The layer-shell header names a parameter `namespace`, which C++ reserves.
#define namespace namespace_
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#undef namespace

namespace rampart::hostile {

namespace {

struct LayerSurfaceState {
    std::optional<uint32_t> serial;
    Size size;
    bool closed = false;
};

const zwlr_layer_surface_v1_listener layer_surface_listener = {
    .configure =
        [](void *data, zwlr_layer_surface_v1 *, uint32_t serial, uint32_t width, uint32_t height) {
            auto *state = static_cast<LayerSurfaceState *>(data);
            state->serial = serial;
            state->size = {int32_t(width), int32_t(height)};
        },
    .closed =
        [](void *data, zwlr_layer_surface_v1 *) {
            static_cast<LayerSurfaceState *>(data)->closed = true;
        },
};

// The seat the injection protocols act on.
forgotten_ptr<wl_seat> first_seat(ProbeContext &context)
{
    return bind_first<wl_seat>(context, wl_seat_interface, 1);
}

} // namespace

ProbeOutcome probe_layer_shell(ProbeContext &context, const ProxyOwner &proxy)
{
    auto compositor = bind_first<wl_compositor>(context, wl_compositor_interface, 4);
    auto shm = bind_first<wl_shm>(context, wl_shm_interface, 1);
    if (!compositor || !shm)
        return bound_without_probe(context, "no wl_compositor or wl_shm to make a surface");
    forgotten_ptr<wl_surface> surface(wl_compositor_create_surface(compositor.get()));
    // An overlay above everything, the very thing ordinary clients must not have.
    forgotten_ptr<zwlr_layer_surface_v1> layer_surface(zwlr_layer_shell_v1_get_layer_surface(
        as<zwlr_layer_shell_v1>(proxy), surface.get(), nullptr, ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY,
        "rampart-hostile-client"));
    LayerSurfaceState state;
    zwlr_layer_surface_v1_add_listener(layer_surface.get(), &layer_surface_listener, &state);
    zwlr_layer_surface_v1_set_size(layer_surface.get(), 200, 100);
    zwlr_layer_surface_v1_set_anchor(layer_surface.get(), ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP |
                                                              ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT);
    wl_surface_commit(surface.get());
    if (ended_early(wait_for(context, [&] { return state.serial || state.closed; })))
        return early_end(context);
    if (state.closed)
        return {false, "bound, but layer surface closed"};
    if (!state.serial)
        return {false, "bound; no layer surface configure within the timeout"};

    Size size{state.size.width > 0 ? state.size.width : 200,
              state.size.height > 0 ? state.size.height : 100};
    std::string error;
    auto buffer = ShmBuffer::create(shm.get(), size, error);
    if (!buffer)
        return {false, "layer surface configured, but no buffer here: " + error};
    buffer->fill(0xffff00ff);
    zwlr_layer_surface_v1_ack_configure(layer_surface.get(), *state.serial);
    wl_surface_attach(surface.get(), buffer->buffer(), 0, 0);
    wl_surface_damage_buffer(surface.get(), 0, 0, size.width, size.height);
    wl_surface_commit(surface.get());
    if (!context.connection.roundtrip())
        return early_end(context);
    Json::event("layer_surface_mapped").num("width", size.width).num("height", size.height).print();
    return {false, "mapped an overlay layer surface"};
}

ProbeOutcome probe_virtual_keyboard(ProbeContext &context, const ProxyOwner &proxy)
{
    auto seat = first_seat(context);
    if (!seat)
        return bound_without_probe(context, "no wl_seat");
    forgotten_ptr<zwp_virtual_keyboard_v1> keyboard(
        zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(
            as<zwp_virtual_keyboard_manager_v1>(proxy), seat.get()));
    if (!context.connection.roundtrip())
        return early_end(context);
    return {false, "created a virtual keyboard"};
}

ProbeOutcome probe_virtual_pointer(ProbeContext &context, const ProxyOwner &proxy)
{
    auto seat = first_seat(context);
    forgotten_ptr<zwlr_virtual_pointer_v1> pointer(
        zwlr_virtual_pointer_manager_v1_create_virtual_pointer(
            as<zwlr_virtual_pointer_manager_v1>(proxy), seat.get())); // null seat is allowed
    // A zero motion: proves injection works without moving anything.
    zwlr_virtual_pointer_v1_motion(pointer.get(), 0, 0, 0);
    zwlr_virtual_pointer_v1_frame(pointer.get());
    if (!context.connection.roundtrip())
        return early_end(context);
    return {false, "created a virtual pointer and sent a motion"};
}

namespace {

struct DataControlState {
    std::vector<forgotten_ptr<zwlr_data_control_offer_v1>> offers;
    bool selection = false;
    bool finished = false;
};

const zwlr_data_control_offer_v1_listener offer_listener = {
    .offer =
        [](void *, zwlr_data_control_offer_v1 *, const char *mime) {
            Json::event("clipboard_offer").str("mime_type", mime).print();
        },
};

const zwlr_data_control_device_v1_listener data_device_listener = {
    .data_offer =
        [](void *data, zwlr_data_control_device_v1 *, zwlr_data_control_offer_v1 *offer) {
            static_cast<DataControlState *>(data)->offers.emplace_back(offer);
            zwlr_data_control_offer_v1_add_listener(offer, &offer_listener, nullptr);
        },
    .selection =
        [](void *data, zwlr_data_control_device_v1 *, zwlr_data_control_offer_v1 *) {
            static_cast<DataControlState *>(data)->selection = true;
        },
    .finished =
        [](void *data, zwlr_data_control_device_v1 *) {
            static_cast<DataControlState *>(data)->finished = true;
        },
    .primary_selection = [](void *, zwlr_data_control_device_v1 *, zwlr_data_control_offer_v1 *) {},
};

} // namespace

ProbeOutcome probe_data_control(ProbeContext &context, const ProxyOwner &proxy)
{
    auto seat = first_seat(context);
    if (!seat)
        return bound_without_probe(context, "no wl_seat");
    DataControlState state;
    forgotten_ptr<zwlr_data_control_device_v1> device(zwlr_data_control_manager_v1_get_data_device(
        as<zwlr_data_control_manager_v1>(proxy), seat.get()));
    zwlr_data_control_device_v1_add_listener(device.get(), &data_device_listener, &state);
    if (!context.connection.roundtrip())
        return early_end(context);
    if (state.finished)
        return {false, "bound, but data device finished at once"};
    return {false, std::string("got a clipboard device") +
                       (state.selection ? " and the current selection" : "")};
}

namespace {

// Sends the destroy request: the session gets its input back at once.
struct inhibitor_deleter {
    void operator()(zwlr_input_inhibitor_v1 *inhibitor) const noexcept
    {
        zwlr_input_inhibitor_v1_destroy(inhibitor);
    }
};

} // namespace

ProbeOutcome probe_input_inhibitor(ProbeContext &context, const ProxyOwner &proxy)
{
    std::unique_ptr<zwlr_input_inhibitor_v1, inhibitor_deleter> inhibitor(
        zwlr_input_inhibit_manager_v1_get_inhibitor(as<zwlr_input_inhibit_manager_v1>(proxy)));
    bool survived = context.connection.roundtrip();
    inhibitor.reset();
    if (!survived || !context.connection.roundtrip())
        return early_end(context);
    return {false, "inhibited all other clients' input (and released it)"};
}

} // namespace rampart::hostile
