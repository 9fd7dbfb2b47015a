#include "render/scene_renderer.hpp"

#include <vector>

namespace rampart {

namespace {

// A pixman region that cleans up after itself.
struct Region {
    pixman_region32_t value;
    Region() { pixman_region32_init(&value); }
    Region(int x, int y, int width, int height)
    {
        pixman_region32_init_rect(&value, x, y, static_cast<unsigned>(std::max(0, width)),
                                  static_cast<unsigned>(std::max(0, height)));
    }
    Region(const Region &) = delete;
    Region &operator=(const Region &) = delete;
    Region(Region &&other) noexcept
    {
        pixman_region32_init(&value);
        pixman_region32_copy(&value, &other.value);
    }
    ~Region() { pixman_region32_fini(&value); }
    pixman_region32_t *get() { return &value; }
    bool empty() { return !pixman_region32_not_empty(&value); }
};

struct DrawItem {
    wlr_scene_node *node;
    wm::Box box;                 // output buffer coordinates
    std::optional<wm::Box> clip; // output buffer coordinates
    Region visible;
};

struct Context {
    wlr_output *output;
    wlr_renderer *renderer;
    int origin_x, origin_y; // the output's position in the layout
    float scale;
    bool pixman; // the pixman fast paths apply
    const ClipForNode &clip_for;
};

wm::Box to_output(const Context &context, const wm::Box &layout_box)
{
    if (context.scale == 1.0f)
        return {layout_box.x - context.origin_x, layout_box.y - context.origin_y, layout_box.width,
                layout_box.height};
    auto scaled = [&](int value) { return static_cast<int>(std::lround(value * context.scale)); };
    int x1 = scaled(layout_box.x - context.origin_x), y1 = scaled(layout_box.y - context.origin_y);
    int x2 = scaled(layout_box.x + layout_box.width - context.origin_x);
    int y2 = scaled(layout_box.y + layout_box.height - context.origin_y);
    return {x1, y1, x2 - x1, y2 - y1};
}

void node_size(wlr_scene_node *node, int &width, int &height)
{
    width = height = 0;
    switch (node->type) {
    case WLR_SCENE_NODE_SURFACE: {
        wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
        width = surface->current.width;
        height = surface->current.height;
        break;
    }
    case WLR_SCENE_NODE_RECT: {
        auto *rect = reinterpret_cast<wlr_scene_rect *>(node);
        width = rect->width;
        height = rect->height;
        break;
    }
    case WLR_SCENE_NODE_BUFFER: {
        auto *buffer = reinterpret_cast<wlr_scene_buffer *>(node);
        width = buffer->dst_width > 0 ? buffer->dst_width : buffer->buffer->width;
        height = buffer->dst_height > 0 ? buffer->dst_height : buffer->buffer->height;
        break;
    }
    default: break;
    }
}

wlr_texture *texture_of(const Context &context, wlr_scene_node *node);

// Gathers drawable nodes bottom to top, with their boxes and clips. Imports textures of
// compositor-drawn buffers on the way: that cannot happen once rendering has begun.
void collect(const Context &context, wlr_scene_node *node, int lx, int ly,
             std::optional<wm::Box> clip, std::vector<DrawItem> &items)
{
    if (!node->state.enabled)
        return;
    lx += node->state.x;
    ly += node->state.y;
    if (std::optional<wm::Box> own = context.clip_for(node))
        clip = to_output(context, *own);
    if (node->type == WLR_SCENE_NODE_SURFACE || node->type == WLR_SCENE_NODE_RECT ||
        node->type == WLR_SCENE_NODE_BUFFER) {
        int width, height;
        node_size(node, width, height);
        if (node->type == WLR_SCENE_NODE_BUFFER)
            texture_of(context, node);
        if (width > 0 && height > 0)
            items.push_back({node, to_output(context, {lx, ly, width, height}), clip, Region()});
    }
    wlr_scene_node *child;
    wl_list_for_each (child, &node->state.children, state.link) {
        collect(context, child, lx, ly, clip, items);
    }
}

wlr_texture *texture_of(const Context &context, wlr_scene_node *node)
{
    if (node->type == WLR_SCENE_NODE_SURFACE)
        return wlr_surface_get_texture(wlr_scene_surface_from_node(node)->surface);
    if (node->type == WLR_SCENE_NODE_BUFFER) {
        auto *scene_buffer = reinterpret_cast<wlr_scene_buffer *>(node);
        if (wlr_client_buffer *client = wlr_client_buffer_get(scene_buffer->buffer))
            return client->texture;
        if (!scene_buffer->texture)
            scene_buffer->texture = wlr_texture_from_buffer(context.renderer, scene_buffer->buffer);
        return scene_buffer->texture;
    }
    return nullptr;
}

bool image_is_opaque(pixman_image_t *image)
{
    pixman_format_code_t format = pixman_image_get_format(image);
    return PIXMAN_FORMAT_A(format) == 0;
}

// The part of an item that is certainly opaque, in output buffer coordinates.
void opaque_part(const Context &context, DrawItem &item, Region &out)
{
    const wm::Box &b = item.box;
    switch (item.node->type) {
    case WLR_SCENE_NODE_RECT:
        if (reinterpret_cast<wlr_scene_rect *>(item.node)->color[3] >= 1.0f)
            pixman_region32_init_rect(out.get(), b.x, b.y, static_cast<unsigned>(b.width),
                                      static_cast<unsigned>(b.height));
        break;
    case WLR_SCENE_NODE_SURFACE: {
        wlr_surface *surface = wlr_scene_surface_from_node(item.node)->surface;
        wlr_texture *texture = texture_of(context, item.node);
        if (context.pixman && texture && wlr_texture_is_pixman(texture) &&
            image_is_opaque(wlr_pixman_texture_get_image(texture))) {
            pixman_region32_init_rect(out.get(), b.x, b.y, static_cast<unsigned>(b.width),
                                      static_cast<unsigned>(b.height));
        } else if (context.scale == 1.0f) {
            pixman_region32_copy(out.get(), &surface->opaque_region);
            pixman_region32_translate(out.get(), b.x, b.y);
            pixman_region32_intersect_rect(out.get(), out.get(), b.x, b.y,
                                           static_cast<unsigned>(b.width),
                                           static_cast<unsigned>(b.height));
        }
        break;
    }
    default: break;
    }
    if (item.clip)
        pixman_region32_intersect_rect(out.get(), out.get(), item.clip->x, item.clip->y,
                                       static_cast<unsigned>(std::max(0, item.clip->width)),
                                       static_cast<unsigned>(std::max(0, item.clip->height)));
}

void scissor(const Context &context, const pixman_box32_t &rect)
{
    wlr_box box{rect.x1, rect.y1, rect.x2 - rect.x1, rect.y2 - rect.y1};
    int width, height;
    wlr_output_transformed_resolution(context.output, &width, &height);
    wlr_box_transform(&box, &box, wlr_output_transform_invert(context.output->transform), width,
                      height);
    wlr_renderer_scissor(context.renderer, &box);
}

pixman_color_t to_pixman_color(const float color[4])
{
    auto channel = [](float value) {
        return static_cast<uint16_t>(std::clamp(value, 0.0f, 1.0f) * 0xffff);
    };
    // Premultiplied, as pixman expects.
    return {channel(color[0] * color[3]), channel(color[1] * color[3]),
            channel(color[2] * color[3]), channel(color[3])};
}

void draw_rect(const Context &context, DrawItem &item, pixman_image_t *target)
{
    auto *rect = reinterpret_cast<wlr_scene_rect *>(item.node);
    int count = 0;
    pixman_box32_t *rects = pixman_region32_rectangles(item.visible.get(), &count);
    if (target) {
        pixman_color_t color = to_pixman_color(rect->color);
        pixman_image_fill_boxes(rect->color[3] >= 1.0f ? PIXMAN_OP_SRC : PIXMAN_OP_OVER, target,
                                &color, count, rects);
        return;
    }
    wlr_box box{item.box.x, item.box.y, item.box.width, item.box.height};
    for (int i = 0; i < count; ++i) {
        scissor(context, rects[i]);
        wlr_render_rect(context.renderer, &box, rect->color, context.output->transform_matrix);
    }
}

void draw_texture(const Context &context, DrawItem &item, pixman_image_t *target)
{
    wlr_texture *texture = texture_of(context, item.node);
    if (!texture)
        return;
    enum wl_output_transform transform = WL_OUTPUT_TRANSFORM_NORMAL;
    wlr_fbox source{};
    bool plain = true; // pixel for pixel: no scale, viewport or transform
    if (item.node->type == WLR_SCENE_NODE_SURFACE) {
        wlr_surface *surface = wlr_scene_surface_from_node(item.node)->surface;
        transform = surface->current.transform;
        wlr_surface_get_buffer_source_box(surface, &source);
        plain = transform == WL_OUTPUT_TRANSFORM_NORMAL && !surface->current.viewport.has_src &&
                static_cast<int>(texture->width) == item.box.width &&
                static_cast<int>(texture->height) == item.box.height;
    } else {
        auto *scene_buffer = reinterpret_cast<wlr_scene_buffer *>(item.node);
        transform = scene_buffer->transform;
        source = scene_buffer->src_box;
        plain = transform == WL_OUTPUT_TRANSFORM_NORMAL && wlr_fbox_empty(&source) &&
                static_cast<int>(texture->width) == item.box.width &&
                static_cast<int>(texture->height) == item.box.height;
    }
    int count = 0;
    pixman_box32_t *rects = pixman_region32_rectangles(item.visible.get(), &count);
    if (target && plain && wlr_texture_is_pixman(texture)) {
        pixman_image_t *image = wlr_pixman_texture_get_image(texture);
        pixman_op_t op = image_is_opaque(image) ? PIXMAN_OP_SRC : PIXMAN_OP_OVER;
        for (int i = 0; i < count; ++i) {
            const pixman_box32_t &r = rects[i];
            pixman_image_composite32(op, image, nullptr, target, r.x1 - item.box.x,
                                     r.y1 - item.box.y, 0, 0, r.x1, r.y1, r.x2 - r.x1, r.y2 - r.y1);
        }
        return;
    }
    if (wlr_fbox_empty(&source))
        source = {0, 0, static_cast<double>(texture->width), static_cast<double>(texture->height)};
    wlr_box box{item.box.x, item.box.y, item.box.width, item.box.height};
    float matrix[9];
    wlr_matrix_project_box(matrix, &box, wlr_output_transform_invert(transform), 0.0f,
                           context.output->transform_matrix);
    for (int i = 0; i < count; ++i) {
        scissor(context, rects[i]);
        wlr_render_subtexture_with_matrix(context.renderer, texture, &source, matrix, 1.0f);
    }
    wlr_renderer_scissor(context.renderer, nullptr);
}

} // namespace

bool render_scene_output(wlr_scene_output *scene_output, wlr_renderer *renderer,
                         const ClipForNode &clip_for, RenderStats *stats,
                         const wm::Box *cursor_forbidden)
{
    wlr_output *output = scene_output->output;
    bool needs_frame = false;
    Region damage;
    if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, damage.get()))
        return false;
    if (!needs_frame) {
        wlr_output_rollback(output);
        return true;
    }
    // New compositor-drawn buffers wait on this list for their textures (as in wlr_scene).
    wlr_scene_buffer *pending, *next;
    wl_list_for_each_safe (pending, next, &scene_output->scene->pending_buffers, pending_link) {
        wl_list_remove(&pending->pending_link);
        wl_list_init(&pending->pending_link);
    }

    Context context{output,
                    renderer,
                    scene_output->x,
                    scene_output->y,
                    output->scale,
                    wlr_renderer_is_pixman(renderer) &&
                        output->transform == WL_OUTPUT_TRANSFORM_NORMAL,
                    clip_for};
    std::vector<DrawItem> items;
    collect(context, &scene_output->scene->node, 0, 0, std::nullopt, items);

    // Top to bottom: what each node shows, minus what opaque nodes above it cover.
    Region covered;
    int drawn = 0;
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
        DrawItem &item = *it;
        const wm::Box &b = item.box;
        pixman_region32_intersect_rect(item.visible.get(), damage.get(), b.x, b.y,
                                       static_cast<unsigned>(b.width),
                                       static_cast<unsigned>(b.height));
        if (item.clip)
            pixman_region32_intersect_rect(item.visible.get(), item.visible.get(), item.clip->x,
                                           item.clip->y,
                                           static_cast<unsigned>(std::max(0, item.clip->width)),
                                           static_cast<unsigned>(std::max(0, item.clip->height)));
        pixman_region32_subtract(item.visible.get(), item.visible.get(), covered.get());
        if (item.visible.empty())
            continue;
        ++drawn;
        Region opaque;
        opaque_part(context, item, opaque);
        pixman_region32_union(covered.get(), covered.get(), opaque.get());
    }
    if (stats) {
        stats->nodes_drawn = drawn;
        stats->nodes_culled = static_cast<int>(items.size()) - drawn;
    }

    wlr_renderer_begin(renderer, static_cast<uint32_t>(output->width),
                       static_cast<uint32_t>(output->height));
    pixman_image_t *target =
        context.pixman ? wlr_pixman_renderer_get_current_image(renderer) : nullptr;
    if (target)
        pixman_image_set_clip_region32(target, nullptr);

    // Whatever no opaque node covers starts black.
    Region background;
    pixman_region32_subtract(background.get(), damage.get(), covered.get());
    int count = 0;
    pixman_box32_t *rects = pixman_region32_rectangles(background.get(), &count);
    const float black[4] = {0, 0, 0, 1};
    if (target) {
        pixman_color_t color = to_pixman_color(black);
        pixman_image_fill_boxes(PIXMAN_OP_SRC, target, &color, count, rects);
    } else {
        for (int i = 0; i < count; ++i) {
            scissor(context, rects[i]);
            wlr_renderer_clear(renderer, black);
        }
    }

    for (DrawItem &item : items) {
        if (item.visible.empty())
            continue;
        if (item.node->type == WLR_SCENE_NODE_RECT)
            draw_rect(context, item, target);
        else
            draw_texture(context, item, target);
        if (target)
            pixman_image_set_clip_region32(target, nullptr);
    }
    wlr_renderer_scissor(renderer, nullptr);
    Region cursor_damage;
    pixman_region32_copy(cursor_damage.get(), damage.get());
    if (cursor_forbidden) {
        Region forbidden(cursor_forbidden->x, cursor_forbidden->y, cursor_forbidden->width,
                         cursor_forbidden->height);
        pixman_region32_subtract(cursor_damage.get(), cursor_damage.get(), forbidden.get());
    }
    wlr_output_render_software_cursors(output, cursor_damage.get());
    wlr_renderer_end(renderer);

    int width, height;
    wlr_output_transformed_resolution(output, &width, &height);
    Region frame_damage;
    wlr_region_transform(frame_damage.get(), &scene_output->damage->current,
                         wlr_output_transform_invert(output->transform), width, height);
    wlr_output_set_damage(output, frame_damage.get());
    return wlr_output_commit(output);
}

} // namespace rampart
