// wl_shm buffers backed by memfd, and the small per-surface pool that recycles them once
// the compositor releases them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "wl_ptr.hpp"

namespace rampart::test_client {

class ShmBuffer {
public:
    ShmBuffer() = default;
    ~ShmBuffer();
    ShmBuffer(const ShmBuffer &) = delete;
    ShmBuffer &operator=(const ShmBuffer &) = delete;

    // Allocates width*height*4 bytes; false with `error` set on failure.
    bool init(wl_shm *shm, Size size, uint32_t format, std::string &error);

    wl_buffer *buffer() const { return buffer_.get(); }
    uint32_t *pixels() const { return static_cast<uint32_t *>(data_); }
    Size size() const { return size_; }
    int32_t stride_pixels() const { return size_.width; }

    bool busy = false;                // attached and not yet released
    std::function<void()> on_release; // set by the pool
    // Drawing bookkeeping so partial redraws only touch what changed.
    uint64_t painted_generation = 0; // 0 = contents undefined
    std::optional<Rect> square;      // where --animate region's square is in this buffer

private:
    static void handle_release(void *data, wl_buffer *buffer);
    static const wl_buffer_listener listener;

    void *data_ = nullptr;
    size_t bytes_ = 0;
    Size size_;
    wl_buffer_ptr buffer_;
};

// Double-buffered: two buffers normally suffice with frame-callback pacing; a third and
// fourth are allocated only if the compositor holds on to both.
class BufferPool {
public:
    BufferPool(wl_shm *shm, uint32_t format) : shm_(shm), format_(format) {}
    // Buffers call back into the pool through `this`, so it must stay put.
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    // A free buffer of `size` (possibly with stale contents), or nullptr if all are busy
    // (then `on_release` fires when one comes back). nullptr with `error` set on failure.
    ShmBuffer *acquire(Size size, std::string &error);

    std::function<void()> on_release;

private:
    static constexpr size_t max_buffers = 4;
    wl_shm *shm_;
    uint32_t format_;
    std::vector<std::unique_ptr<ShmBuffer>> buffers_;
};

// Pixel helpers. Colours are 0xAARRGGBB straight alpha; buffers want premultiplied.
uint32_t premultiply(Color color);
void fill_rect(ShmBuffer &buffer, Rect rect, uint32_t pixel);
// Whole buffer in `color`, plus a 1-px border in the inverted colour when `pattern`.
void paint_background(ShmBuffer &buffer, Color color, bool pattern);

} // namespace rampart::test_client
