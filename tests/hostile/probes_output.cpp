// Probes for the protocols that read or change what is on the outputs: screencopy,
// export-dmabuf, gamma control, output management, foreign toplevel management.
#include <optional>
#include <vector>

#include <unistd.h>

#include "probe_helpers.hpp"
#include "shm.hpp"
#include "wlr-export-dmabuf-unstable-v1-client-protocol.h"
#include "wlr-foreign-toplevel-management-unstable-v1-client-protocol.h"
#include "wlr-gamma-control-unstable-v1-client-protocol.h"
#include "wlr-output-management-unstable-v1-client-protocol.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"

namespace rampart::hostile {

namespace {

struct ScreencopyFrame {
    std::optional<uint32_t> format;
    Size size;
    uint32_t stride = 0;
    bool buffer_done = false;
    bool ready = false;
    bool failed = false;
};

const zwlr_screencopy_frame_v1_listener screencopy_listener = {
    .buffer =
        [](void *data, zwlr_screencopy_frame_v1 *, uint32_t format, uint32_t width, uint32_t height,
           uint32_t stride) {
            auto *frame = static_cast<ScreencopyFrame *>(data);
            frame->format = format;
            frame->size = {int32_t(width), int32_t(height)};
            frame->stride = stride;
        },
    .flags = [](void *, zwlr_screencopy_frame_v1 *, uint32_t) {},
    .ready = [](void *data, zwlr_screencopy_frame_v1 *, uint32_t, uint32_t,
                uint32_t) { static_cast<ScreencopyFrame *>(data)->ready = true; },
    .failed =
        [](void *data, zwlr_screencopy_frame_v1 *) {
            static_cast<ScreencopyFrame *>(data)->failed = true;
        },
    .damage = [](void *, zwlr_screencopy_frame_v1 *, uint32_t, uint32_t, uint32_t, uint32_t) {},
    .linux_dmabuf = [](void *, zwlr_screencopy_frame_v1 *, uint32_t, uint32_t, uint32_t) {},
    .buffer_done =
        [](void *data, zwlr_screencopy_frame_v1 *) {
            static_cast<ScreencopyFrame *>(data)->buffer_done = true;
        },
};

} // namespace

ProbeOutcome probe_screencopy(ProbeContext &context, const ProxyOwner &proxy)
{
    auto *manager = as<zwlr_screencopy_manager_v1>(proxy);
    auto output = bind_first<wl_output>(context, wl_output_interface, 1);
    if (!output)
        return bound_without_probe(context, "no wl_output to capture");
    ScreencopyFrame state;
    forgotten_ptr<zwlr_screencopy_frame_v1> frame(
        zwlr_screencopy_manager_v1_capture_output(manager, 0, output.get()));
    zwlr_screencopy_frame_v1_add_listener(frame.get(), &screencopy_listener, &state);
    // From version 3 the buffer events end with buffer_done; before, one buffer event.
    bool has_done = zwlr_screencopy_manager_v1_get_version(manager) >= 3;
    auto described = [&] {
        return state.failed || (state.format && (!has_done || state.buffer_done));
    };
    if (ended_early(wait_for(context, described)))
        return early_end(context);
    if (state.failed)
        return {false, "bound, but capture_output failed"};
    if (!state.format)
        return {false, "bound; no buffer description within the timeout"};

    auto shm = bind_first<wl_shm>(context, wl_shm_interface, 1);
    std::string error;
    auto buffer =
        shm ? ShmBuffer::create(shm.get(), state.size, error, *state.format, int32_t(state.stride))
            : nullptr;
    if (!buffer)
        return {false, "bound and described a frame, but no buffer here: " + error};
    zwlr_screencopy_frame_v1_copy(frame.get(), buffer->buffer());
    if (ended_early(wait_for(context, [&] { return state.ready || state.failed; })))
        return early_end(context);
    if (state.failed)
        return {false, "bound, but copy failed"};
    if (!state.ready)
        return {false, "bound; copy not ready within the timeout"};
    size_t length = size_t(state.stride) * size_t(state.size.height);
    size_t nonzero = 0;
    for (size_t i = 0; i < length; ++i)
        nonzero += buffer->bytes()[i] != 0;
    Json::event("screencopy")
        .num("width", state.size.width)
        .num("height", state.size.height)
        .num("format", *state.format)
        .num("nonzero_bytes", int64_t(nonzero))
        .print();
    return {false, "captured the output (" + std::to_string(state.size.width) + "x" +
                       std::to_string(state.size.height) + ")"};
}

namespace {

struct DmabufFrame {
    bool described = false;
    bool ready = false;
    std::optional<uint32_t> cancel_reason;
};

const zwlr_export_dmabuf_frame_v1_listener export_dmabuf_listener = {
    .frame = [](void *data, zwlr_export_dmabuf_frame_v1 *, uint32_t, uint32_t, uint32_t, uint32_t,
                uint32_t, uint32_t, uint32_t, uint32_t, uint32_t,
                uint32_t) { static_cast<DmabufFrame *>(data)->described = true; },
    .object = [](void *, zwlr_export_dmabuf_frame_v1 *, uint32_t, int32_t fd, uint32_t, uint32_t,
                 uint32_t, uint32_t) { close(fd); },
    .ready = [](void *data, zwlr_export_dmabuf_frame_v1 *, uint32_t, uint32_t,
                uint32_t) { static_cast<DmabufFrame *>(data)->ready = true; },
    .cancel = [](void *data, zwlr_export_dmabuf_frame_v1 *,
                 uint32_t reason) { static_cast<DmabufFrame *>(data)->cancel_reason = reason; },
};

} // namespace

ProbeOutcome probe_export_dmabuf(ProbeContext &context, const ProxyOwner &proxy)
{
    auto output = bind_first<wl_output>(context, wl_output_interface, 1);
    if (!output)
        return bound_without_probe(context, "no wl_output to capture");
    DmabufFrame state;
    forgotten_ptr<zwlr_export_dmabuf_frame_v1> frame(zwlr_export_dmabuf_manager_v1_capture_output(
        as<zwlr_export_dmabuf_manager_v1>(proxy), 0, output.get()));
    zwlr_export_dmabuf_frame_v1_add_listener(frame.get(), &export_dmabuf_listener, &state);
    if (ended_early(wait_for(context, [&] { return state.ready || state.cancel_reason; })))
        return early_end(context);
    if (state.cancel_reason)
        return {false, "bound, but capture cancelled (reason " +
                           std::to_string(*state.cancel_reason) + ")"};
    return {false, state.ready ? "exported an output frame" : "bound; no frame within the timeout"};
}

namespace {

struct GammaState {
    std::optional<uint32_t> size;
    bool failed = false;
};

const zwlr_gamma_control_v1_listener gamma_listener = {
    .gamma_size = [](void *data, zwlr_gamma_control_v1 *,
                     uint32_t size) { static_cast<GammaState *>(data)->size = size; },
    .failed = [](void *data,
                 zwlr_gamma_control_v1 *) { static_cast<GammaState *>(data)->failed = true; },
};

} // namespace

ProbeOutcome probe_gamma_control(ProbeContext &context, const ProxyOwner &proxy)
{
    auto output = bind_first<wl_output>(context, wl_output_interface, 1);
    if (!output)
        return bound_without_probe(context, "no wl_output");
    GammaState state;
    forgotten_ptr<zwlr_gamma_control_v1> control(zwlr_gamma_control_manager_v1_get_gamma_control(
        as<zwlr_gamma_control_manager_v1>(proxy), output.get()));
    zwlr_gamma_control_v1_add_listener(control.get(), &gamma_listener, &state);
    if (ended_early(wait_for(context, [&] { return state.size || state.failed; })))
        return early_end(context);
    if (state.failed)
        return {false, "bound, but get_gamma_control failed"};
    return {false, state.size
                       ? "got a gamma control (ramp size " + std::to_string(*state.size) + ")"
                       : "bound; no gamma_size within the timeout"};
}

namespace {

struct OutputManagerState {
    std::vector<forgotten_ptr<zwlr_output_head_v1>> heads;
    std::vector<forgotten_ptr<zwlr_output_mode_v1>> modes; // created by the heads' events
    bool done = false;
    bool finished = false;
};

OutputManagerState &manager_state(void *data)
{
    return *static_cast<OutputManagerState *>(data);
}

// Only `mode` matters: it hands us a new object to free.
const zwlr_output_head_v1_listener head_listener = {
    .name = [](void *, zwlr_output_head_v1 *, const char *) {},
    .description = [](void *, zwlr_output_head_v1 *, const char *) {},
    .physical_size = [](void *, zwlr_output_head_v1 *, int32_t, int32_t) {},
    .mode = [](void *data, zwlr_output_head_v1 *,
               zwlr_output_mode_v1 *mode) { manager_state(data).modes.emplace_back(mode); },
    .enabled = [](void *, zwlr_output_head_v1 *, int32_t) {},
    .current_mode = [](void *, zwlr_output_head_v1 *, zwlr_output_mode_v1 *) {},
    .position = [](void *, zwlr_output_head_v1 *, int32_t, int32_t) {},
    .transform = [](void *, zwlr_output_head_v1 *, int32_t) {},
    .scale = [](void *, zwlr_output_head_v1 *, wl_fixed_t) {},
    .finished = [](void *, zwlr_output_head_v1 *) {},
    .make = [](void *, zwlr_output_head_v1 *, const char *) {},
    .model = [](void *, zwlr_output_head_v1 *, const char *) {},
    .serial_number = [](void *, zwlr_output_head_v1 *, const char *) {},
};

const zwlr_output_manager_v1_listener output_manager_listener = {
    .head =
        [](void *data, zwlr_output_manager_v1 *, zwlr_output_head_v1 *head) {
            manager_state(data).heads.emplace_back(head);
            zwlr_output_head_v1_add_listener(head, &head_listener, data);
        },
    .done = [](void *data, zwlr_output_manager_v1 *, uint32_t) { manager_state(data).done = true; },
    .finished = [](void *data, zwlr_output_manager_v1 *) { manager_state(data).finished = true; },
};

} // namespace

ProbeOutcome probe_output_management(ProbeContext &context, const ProxyOwner &proxy)
{
    OutputManagerState state;
    zwlr_output_manager_v1_add_listener(as<zwlr_output_manager_v1>(proxy), &output_manager_listener,
                                        &state);
    if (ended_early(wait_for(context, [&] { return state.done || state.finished; })))
        return early_end(context);
    if (state.finished && !state.done)
        return {false, "bound, but manager finished at once"};
    return {false, state.done ? "saw " + std::to_string(state.heads.size()) + " output heads"
                              : "bound; no done within the timeout"};
}

namespace {

struct ForeignToplevels {
    std::vector<forgotten_ptr<zwlr_foreign_toplevel_handle_v1>> handles;
    bool finished = false;
};

const zwlr_foreign_toplevel_handle_v1_listener handle_listener = {
    .title = [](void *, zwlr_foreign_toplevel_handle_v1 *,
                const char *title) { Json::event("foreign_toplevel").str("title", title).print(); },
    .app_id = [](void *, zwlr_foreign_toplevel_handle_v1 *, const char *) {},
    .output_enter = [](void *, zwlr_foreign_toplevel_handle_v1 *, wl_output *) {},
    .output_leave = [](void *, zwlr_foreign_toplevel_handle_v1 *, wl_output *) {},
    .state = [](void *, zwlr_foreign_toplevel_handle_v1 *, wl_array *) {},
    .done = [](void *, zwlr_foreign_toplevel_handle_v1 *) {},
    .closed = [](void *, zwlr_foreign_toplevel_handle_v1 *) {},
    .parent = [](void *, zwlr_foreign_toplevel_handle_v1 *, zwlr_foreign_toplevel_handle_v1 *) {},
};

const zwlr_foreign_toplevel_manager_v1_listener foreign_manager_listener = {
    .toplevel =
        [](void *data, zwlr_foreign_toplevel_manager_v1 *,
           zwlr_foreign_toplevel_handle_v1 *handle) {
            static_cast<ForeignToplevels *>(data)->handles.emplace_back(handle);
            zwlr_foreign_toplevel_handle_v1_add_listener(handle, &handle_listener, nullptr);
        },
    .finished =
        [](void *data, zwlr_foreign_toplevel_manager_v1 *) {
            static_cast<ForeignToplevels *>(data)->finished = true;
        },
};

} // namespace

ProbeOutcome probe_foreign_toplevel(ProbeContext &context, const ProxyOwner &proxy)
{
    ForeignToplevels state;
    zwlr_foreign_toplevel_manager_v1_add_listener(as<zwlr_foreign_toplevel_manager_v1>(proxy),
                                                  &foreign_manager_listener, &state);
    // The toplevels arrive right after the bind; their titles one roundtrip later.
    if (!context.connection.roundtrip() || !context.connection.roundtrip())
        return early_end(context);
    if (state.finished && state.handles.empty())
        return {false, "bound, but manager finished at once"};
    return {false, "saw " + std::to_string(state.handles.size()) + " toplevels of other clients"};
}

} // namespace rampart::hostile
