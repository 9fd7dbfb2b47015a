#include "shm_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace rampart::test_client {

const wl_buffer_listener ShmBuffer::listener = {
    .release = &ShmBuffer::handle_release,
};

ShmBuffer::~ShmBuffer()
{
    buffer_.reset();
    if (data_)
        munmap(data_, bytes_);
}

bool ShmBuffer::init(wl_shm *shm, Size size, uint32_t format, std::string &error)
{
    if (auto message = check_buffer_size(size); !message.empty()) {
        error = message;
        return false;
    }
    size_ = size;
    bytes_ = size_t(size.width) * size_t(size.height) * 4;
    int fd = memfd_create("rampart-test-client", MFD_CLOEXEC);
    if (fd < 0) {
        error = std::string("memfd_create: ") + std::strerror(errno);
        return false;
    }
    // posix_fallocate rather than ftruncate: the pages are really reserved, so a huge
    // --request-size fails here instead of SIGBUS-ing while painting.
    if (int err = posix_fallocate(fd, 0, off_t(bytes_)); err != 0) {
        error = "allocating " + std::to_string(bytes_) + " bytes: " + std::strerror(err);
        close(fd);
        return false;
    }
    data_ = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data_ == MAP_FAILED) {
        data_ = nullptr;
        error = std::string("mmap: ") + std::strerror(errno);
        close(fd);
        return false;
    }
    // The pool only carves out one buffer; the server keeps the memory alive through the
    // buffer, so both the pool and our fd can go straight away.
    wl_shm_pool_ptr pool(wl_shm_create_pool(shm, fd, int32_t(bytes_)));
    close(fd);
    buffer_.reset(
        wl_shm_pool_create_buffer(pool.get(), 0, size.width, size.height, size.width * 4, format));
    wl_buffer_add_listener(buffer_.get(), &listener, this);
    return true;
}

void ShmBuffer::handle_release(void *data, wl_buffer *)
{
    auto *self = static_cast<ShmBuffer *>(data);
    self->busy = false;
    if (self->on_release)
        self->on_release();
}

ShmBuffer *BufferPool::acquire(Size size, std::string &error)
{
    ShmBuffer *stale = nullptr;
    for (auto &buffer : buffers_) {
        if (buffer->busy)
            continue;
        if (buffer->size() == size)
            return buffer.get();
        stale = buffer.get();
    }
    if (!stale && buffers_.size() >= max_buffers)
        return nullptr;

    auto fresh = std::make_unique<ShmBuffer>();
    if (!fresh->init(shm_, size, format_, error))
        return nullptr;
    fresh->on_release = [this] {
        if (on_release)
            on_release();
    };
    ShmBuffer *result = fresh.get();
    if (stale) { // replace a free buffer of the old size rather than growing the pool
        auto it = std::find_if(buffers_.begin(), buffers_.end(),
                               [stale](const auto &b) { return b.get() == stale; });
        *it = std::move(fresh);
    } else {
        buffers_.push_back(std::move(fresh));
    }
    return result;
}

uint32_t premultiply(Color color)
{
    uint32_t alpha = color >> 24;
    auto channel = [&](int shift) { return (((color >> shift) & 0xff) * alpha + 127) / 255; };
    return alpha << 24 | channel(16) << 16 | channel(8) << 8 | channel(0);
}

void fill_rect(ShmBuffer &buffer, Rect rect, uint32_t pixel)
{
    Size size = buffer.size();
    int32_t x0 = std::clamp(rect.x, 0, size.width);
    int32_t y0 = std::clamp(rect.y, 0, size.height);
    int32_t x1 = std::clamp(rect.x + rect.width, 0, size.width);
    int32_t y1 = std::clamp(rect.y + rect.height, 0, size.height);
    for (int32_t y = y0; y < y1; ++y) {
        uint32_t *row = buffer.pixels() + size_t(y) * size_t(buffer.stride_pixels());
        std::fill(row + x0, row + x1, pixel);
    }
}

void paint_background(ShmBuffer &buffer, Color color, bool pattern)
{
    Size size = buffer.size();
    fill_rect(buffer, {0, 0, size.width, size.height}, premultiply(color));
    if (!pattern)
        return;
    uint32_t border = premultiply((color & 0xff000000u) | (~color & 0x00ffffffu));
    fill_rect(buffer, {0, 0, size.width, 1}, border);
    fill_rect(buffer, {0, size.height - 1, size.width, 1}, border);
    fill_rect(buffer, {0, 0, 1, size.height}, border);
    fill_rect(buffer, {size.width - 1, 0, 1, size.height}, border);
}

} // namespace rampart::test_client
