// Shared by the probe implementations; not part of the probes' public interface.
#pragma once

#include <functional>

#include "probes.hpp"

namespace rampart::hostile {

// Binds the first advertised `interface` on the probe's connection, forgotten at the end.
template <typename T>
forgotten_ptr<T> bind_first(ProbeContext &context, const wl_interface &interface,
                            uint32_t implemented)
{
    return forgotten_ptr<T>(context.connection.bind<T>(interface, implemented));
}

template <typename T> T *as(const ProxyOwner &proxy)
{
    return reinterpret_cast<T *>(proxy.get());
}

// Waits up to the probe timeout.
inline WaitResult wait_for(ProbeContext &context, const std::function<bool()> &done)
{
    return context.connection.wait(done, context.timeout);
}

// The outcome when a wait ended early: the connection died, a signal arrived, or the
// compositor did not answer in time.
inline ProbeOutcome early_end(ProbeContext &context)
{
    const Connection &connection = context.connection;
    if (connection.alive() && received_signal())
        return {false, "interrupted by a signal", true};
    if (connection.alive())
        return {false, "bound; no reply within the timeout"};
    if (!connection.closed_by_compositor())
        return {false, "failed locally: " + connection.death_summary(), true};
    return {true, "refused: " + connection.death_summary()};
}

// For a probe that cannot go on (nothing to act on): the bind alone decides.
inline ProbeOutcome bound_without_probe(ProbeContext &context, const std::string &why)
{
    if (!context.connection.roundtrip())
        return early_end(context);
    return {false, "bound; " + why};
}

// True when a wait ended without its condition for a reason that ends the probe.
inline bool ended_early(WaitResult result)
{
    return result == WaitResult::disconnected || result == WaitResult::signalled;
}

// Probes, by protocol family.
ProbeOutcome probe_screencopy(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_export_dmabuf(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_gamma_control(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_output_management(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_foreign_toplevel(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_layer_shell(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_virtual_keyboard(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_virtual_pointer(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_data_control(ProbeContext &context, const ProxyOwner &proxy);
ProbeOutcome probe_input_inhibitor(ProbeContext &context, const ProxyOwner &proxy);

} // namespace rampart::hostile
