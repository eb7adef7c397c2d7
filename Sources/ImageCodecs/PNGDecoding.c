// PNG decoding with libpng. libpng reports errors by longjmp, which Swift cannot catch, so this
// file owns the setjmp and turns every failure into a return code and a message.
#include "ImageCodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    ek_image_info *info;
    jmp_buf jump;
} png_source;

static void read_bytes(png_structp png, png_bytep target, png_size_t length) {
    png_source *source = png_get_io_ptr(png);
    if (length > source->size - source->offset) {
        snprintf(source->info->message, sizeof source->info->message, "truncated at byte %zu", source->size);
        longjmp(source->jump, 1);
    }
    memcpy(target, source->data + source->offset, length);
    source->offset += length;
}

static void on_error(png_structp png, png_const_charp message) {
    png_source *source = png_get_error_ptr(png);
    snprintf(source->info->message, sizeof source->info->message, "%s (near byte %zu)", message, source->offset);
    longjmp(source->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

/// Runs the read up to the header (and, with `pixels`, the whole image).
static int run(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info) {
    memset(info, 0, sizeof *info);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(info->message, sizeof info->message, "not a PNG file (bad signature)");
        return -1;
    }
    png_source source = {data, size, 0, info};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_error, on_warning);
    if (!png) {
        snprintf(info->message, sizeof info->message, "libpng could not start");
        return -1;
    }
    png_infop header = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!header || setjmp(source.jump)) {
        if (rows) png_free(png, rows);
        png_destroy_read_struct(&png, &header, NULL);
        if (!info->message[0]) snprintf(info->message, sizeof info->message, "corrupt PNG data");
        return -1;
    }
    // Header sizes are checked by the caller before any pixel buffer exists; libpng's own limit
    // stays as a second guard.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_read_fn(png, &source, read_bytes);
    png_read_info(png, header);
    png_uint_32 width = png_get_image_width(png, header), height = png_get_image_height(png, header);
    int color = png_get_color_type(png, header), depth = png_get_bit_depth(png, header);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_strip_16(png);
    int passes = png_set_interlace_handling(png);
    (void)passes;
    png_read_update_info(png, header);
    info->width = width;
    info->height = height;
    info->channels = png_get_channels(png, header);
    if (pixels) {
        size_t stride = (size_t)width * info->channels;
        if (png_get_rowbytes(png, header) != stride || stride * height > capacity) {
            snprintf(info->message, sizeof info->message, "unexpected row layout");
            longjmp(source.jump, 1);
        }
        rows = png_malloc(png, sizeof(png_bytep) * height);
        for (png_uint_32 row = 0; row < height; row++) rows[row] = pixels + row * stride;
        png_read_image(png, rows);
        png_read_end(png, NULL);
        png_free(png, rows);
        rows = NULL;
    }
    png_destroy_read_struct(&png, &header, NULL);
    return 0;
}

int ek_png_info(const uint8_t *data, size_t size, ek_image_info *info) { return run(data, size, NULL, 0, info); }

int ek_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info) {
    return run(data, size, pixels, capacity, info);
}
