// One wl_shm buffer backed by a memfd, with the few drawing helpers the attacks need.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "options.hpp"
#include "wl_owners.hpp"

namespace rampart::hostile {

class ShmBuffer {
    struct Private {
        explicit Private() = default;
    };

public:
    explicit ShmBuffer(Private) {} // use create()
    // nullptr with `error` set on failure. `stride` 0 means width * 4.
    static std::unique_ptr<ShmBuffer> create(wl_shm *shm, Size size, std::string &error,
                                             uint32_t format = WL_SHM_FORMAT_XRGB8888,
                                             int32_t stride = 0);
    ~ShmBuffer();
    ShmBuffer(const ShmBuffer &) = delete;
    ShmBuffer &operator=(const ShmBuffer &) = delete;

    wl_buffer *buffer() const { return buffer_.get(); }
    Size size() const { return size_; }
    int32_t stride() const { return stride_; }
    const uint8_t *bytes() const { return static_cast<const uint8_t *>(data_); }

    // Clipped to the buffer; assumes a 32-bit format.
    void fill(Rect rect, Color color);
    void fill(Color color) { fill({0, 0, size_.width, size_.height}, color); }

private:
    void *data_ = nullptr;
    size_t length_ = 0;
    Size size_;
    int32_t stride_ = 0;
    wl_buffer_ptr buffer_;
};

} // namespace rampart::hostile
