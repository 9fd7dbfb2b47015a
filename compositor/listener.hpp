// RAII ownership of a wl_listener. wl_container_of on a C++ class is undefined behaviour,
// so the wl_listener lives in a small standard-layout record that points back at the
// callback. The link is removed when the Listener dies or when the emitter's owner is
// destroyed (disconnect()), whichever comes first.
#pragma once

#include <wayland-server-core.h>

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace rampart {

class Listener {
public:
    using Callback = std::function<void(void *data)>;

    Listener() = default;
    Listener(const Listener &) = delete;
    Listener &operator=(const Listener &) = delete;
    ~Listener() { disconnect(); }

    // Subscribes to `signal`; any earlier subscription of this Listener ends first.
    void connect(wl_signal *signal, Callback callback)
    {
        disconnect();
        callback_ = std::move(callback);
        record_ = std::make_unique<Record>();
        record_->owner = this;
        record_->link.notify = &Listener::dispatch;
        wl_signal_add(signal, &record_->link);
    }

    // For emitters libwayland only exposes through an "add listener" call (client created,
    // client destroyed): `add` receives the wl_listener to register.
    template <typename Add> void attach(Add add, Callback callback)
    {
        disconnect();
        callback_ = std::move(callback);
        record_ = std::make_unique<Record>();
        record_->owner = this;
        record_->link.notify = &Listener::dispatch;
        add(&record_->link);
    }

    void disconnect()
    {
        if (record_) {
            wl_list_remove(&record_->link.link);
            record_.reset();
        }
    }

    bool connected() const { return record_ != nullptr; }

private:
    // Standard layout, so a pointer to `link` (its first member) converts back to it.
    struct Record {
        wl_listener link{};
        Listener *owner = nullptr;
    };
    static_assert(std::is_standard_layout_v<Record>);

    static void dispatch(wl_listener *link, void *data)
    {
        auto *record = reinterpret_cast<Record *>(link);
        // Run a copy: the callback may destroy the Listener (and itself) while running.
        Callback callback = record->owner->callback_;
        callback(data);
    }

    Callback callback_;
    std::unique_ptr<Record> record_;
};

} // namespace rampart
