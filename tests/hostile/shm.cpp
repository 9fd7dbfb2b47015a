#include "shm.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace rampart::hostile {

std::unique_ptr<ShmBuffer> ShmBuffer::create(wl_shm *shm, Size size, std::string &error,
                                             uint32_t format, int32_t stride)
{
    if (stride == 0)
        stride = size.width * 4;
    uint64_t length = uint64_t(stride) * uint64_t(size.height);
    if (size.width <= 0 || size.height <= 0 || stride < size.width * 4 || length > INT32_MAX) {
        error = "unusable buffer size " + std::to_string(size.width) + "x" +
                std::to_string(size.height) + " stride " + std::to_string(stride);
        return nullptr;
    }
    auto self = std::make_unique<ShmBuffer>(Private{});
    int fd = memfd_create("rampart-hostile-client", MFD_CLOEXEC);
    if (fd < 0) {
        error = std::string("memfd_create: ") + std::strerror(errno);
        return nullptr;
    }
    // Reserve the pages now, so a huge buffer fails here rather than SIGBUS-ing later.
    if (int err = posix_fallocate(fd, 0, off_t(length)); err != 0) {
        error = "allocating " + std::to_string(length) + " bytes: " + std::strerror(err);
        close(fd);
        return nullptr;
    }
    void *data = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) {
        error = std::string("mmap: ") + std::strerror(errno);
        close(fd);
        return nullptr;
    }
    self->data_ = data;
    self->length_ = length;
    self->size_ = size;
    self->stride_ = stride;
    // The buffer keeps the memory alive server-side, so the pool and our fd can go at once.
    wl_shm_pool_ptr pool(wl_shm_create_pool(shm, fd, int32_t(length)));
    close(fd);
    self->buffer_.reset(
        wl_shm_pool_create_buffer(pool.get(), 0, size.width, size.height, stride, format));
    return self;
}

ShmBuffer::~ShmBuffer()
{
    buffer_.reset();
    if (data_)
        munmap(data_, length_);
}

void ShmBuffer::fill(Rect rect, Color color)
{
    int32_t x0 = std::clamp(rect.x, 0, size_.width);
    int32_t y0 = std::clamp(rect.y, 0, size_.height);
    int32_t x1 = std::clamp(int32_t(std::min<int64_t>(int64_t(rect.x) + rect.width, INT32_MAX)), 0,
                            size_.width);
    int32_t y1 = std::clamp(int32_t(std::min<int64_t>(int64_t(rect.y) + rect.height, INT32_MAX)), 0,
                            size_.height);
    for (int32_t y = y0; y < y1; ++y) {
        auto *row = reinterpret_cast<uint32_t *>(static_cast<uint8_t *>(data_) +
                                                 size_t(y) * size_t(stride_));
        std::fill(row + x0, row + x1, color);
    }
}

} // namespace rampart::hostile
