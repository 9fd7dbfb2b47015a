#include "render/cairo_buffer.hpp"

#include <memory>

namespace rampart {
namespace {

// Standard layout, so the wlr_buffer* wlroots hands back converts to the whole record.
struct CairoBuffer {
    wlr_buffer base;
    cairo_surface_t *surface;
};
static_assert(std::is_standard_layout_v<CairoBuffer>);

CairoBuffer *from_base(wlr_buffer *buffer)
{
    return reinterpret_cast<CairoBuffer *>(buffer);
}

void destroy(wlr_buffer *buffer)
{
    std::unique_ptr<CairoBuffer> owned(from_base(buffer));
    cairo_surface_destroy(owned->surface);
}

bool begin_access(wlr_buffer *buffer, uint32_t, void **data, uint32_t *format, size_t *stride)
{
    cairo_surface_t *surface = from_base(buffer)->surface;
    cairo_surface_flush(surface);
    *data = cairo_image_surface_get_data(surface);
    *format = DRM_FORMAT_ARGB8888;
    *stride = static_cast<size_t>(cairo_image_surface_get_stride(surface));
    return true;
}

void end_access(wlr_buffer *buffer)
{
    cairo_surface_mark_dirty(from_base(buffer)->surface);
}

const wlr_buffer_impl cairo_buffer_impl = {
    .destroy = destroy,
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access = begin_access,
    .end_data_ptr_access = end_access,
};

} // namespace

wlr_buffer *create_cairo_buffer(int width, int height, const std::function<void(cairo_t *)> &draw)
{
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
        return nullptr;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return nullptr;
    }
    cairo_t *cr = cairo_create(surface);
    draw(cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);

    auto record = std::make_unique<CairoBuffer>();
    record->surface = surface;
    wlr_buffer_init(&record->base, &cairo_buffer_impl, width, height);
    return &record.release()->base; // owned by its wlroots reference count from here
}

cairo_surface_t *copy_buffer_to_image(wlr_buffer *buffer)
{
    void *data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format,
                                          &stride))
        return nullptr;
    cairo_surface_t *image = nullptr;
    if (format == DRM_FORMAT_ARGB8888 || format == DRM_FORMAT_XRGB8888) {
        image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, buffer->width, buffer->height);
        cairo_surface_flush(image);
        auto *destination = cairo_image_surface_get_data(image);
        int destination_stride = cairo_image_surface_get_stride(image);
        for (int row = 0; row < buffer->height; ++row) {
            auto *from = static_cast<const uint32_t *>(data) + row * stride / 4;
            auto *to = reinterpret_cast<uint32_t *>(destination + row * destination_stride);
            for (int column = 0; column < buffer->width; ++column)
                to[column] =
                    format == DRM_FORMAT_XRGB8888 ? (from[column] | 0xff000000u) : from[column];
        }
        cairo_surface_mark_dirty(image);
    }
    wlr_buffer_end_data_ptr_access(buffer);
    return image;
}

SceneImage::~SceneImage()
{
    if (node_) {
        node_destroy_.disconnect();
        wlr_scene_node_destroy(&node_->node);
    }
}

void SceneImage::draw(int x, int y, int width, int height,
                      const std::function<void(cairo_t *)> &painter, int dest_width,
                      int dest_height)
{
    wlr_buffer *buffer = create_cairo_buffer(width, height, painter);
    if (!buffer)
        return;
    wlr_scene_buffer *replacement = wlr_scene_buffer_create(parent_, buffer);
    wlr_buffer_drop(buffer); // the node holds its own reference
    if (!replacement)
        return;
    if (node_) {
        wlr_scene_node_place_above(&replacement->node, &node_->node);
        node_destroy_.disconnect();
        wlr_scene_node_destroy(&node_->node);
    }
    node_ = replacement;
    width_ = width;
    height_ = height;
    node_destroy_.connect(&node_->node.events.destroy, [this](void *) {
        node_destroy_.disconnect();
        node_ = nullptr;
    });
    if (dest_width > 0 && dest_height > 0 && (dest_width != width || dest_height != height))
        wlr_scene_buffer_set_dest_size(node_, dest_width, dest_height);
    wlr_scene_node_set_position(&node_->node, x, y);
    wlr_scene_node_set_enabled(&node_->node, enabled_);
}

void SceneImage::set_enabled(bool enabled)
{
    enabled_ = enabled;
    if (node_)
        wlr_scene_node_set_enabled(&node_->node, enabled);
}

void SceneImage::set_position(int x, int y)
{
    if (node_)
        wlr_scene_node_set_position(&node_->node, x, y);
}

} // namespace rampart
