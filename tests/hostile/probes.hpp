// The interfaces this client can bind, and for each a harmless request that proves the bind
// really gave the client the power it is about (a screencopy that returns pixels, a layer
// surface that gets configured, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"

namespace rampart::hostile {

struct ProbeOutcome {
    // Refused means the compositor raised an error (and so disconnected us). Anything else
    // counts as the bind having worked, including an explicit failure event for the probe's
    // request (the object was bound and used: the detail then says "bound, but ...") and
    // silence until the timeout.
    bool refused = false;
    std::string detail;
    // The connection failed on our side (e.g. libwayland met an event a stub interface
    // cannot decode): neither refused nor accepted.
    bool inconclusive = false;
};

struct ProbeContext {
    Connection &connection;
    std::chrono::milliseconds timeout; // for replies beyond a roundtrip
};

using ProxyOwner = forgotten_ptr<wl_proxy>;
// Called right after the bind, before any roundtrip: a refused bind shows up as the
// connection dying in the probe's first wait (see early_end()).
using ProbeFunction = ProbeOutcome (*)(ProbeContext &context, const ProxyOwner &proxy);

struct KnownInterface {
    const wl_interface *interface;
    uint32_t implemented; // highest version whose events the probe handles
    bool privileged;      // must be hidden from ordinary clients
    ProbeFunction probe;  // nullptr: a roundtrip after the bind is the whole probe
};

const std::vector<KnownInterface> &known_interfaces();
const KnownInterface *find_known_interface(std::string_view name);
// For a name without protocol code here: an interface with no requests and no events.
// (A global that sends events right after the bind then makes libwayland fail locally.)
const wl_interface &stub_interface(std::string_view name);

// Binds global `name` as `interface` at `version` and runs the interface's probe (or, for
// an interface without one, a roundtrip).
ProbeOutcome bind_and_probe(ProbeContext &context, uint32_t name, const wl_interface &interface,
                            uint32_t version);

} // namespace rampart::hostile
