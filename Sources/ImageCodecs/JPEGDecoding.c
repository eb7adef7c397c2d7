// JPEG decoding with libjpeg-turbo. Its errors exit through `error_exit`, which here longjmps
// back, so every failure becomes a return code and a message.
#include "ImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr manager;
    ek_image_info *info;
    jmp_buf jump;
} jpeg_failure;

static void on_error(j_common_ptr decoder) {
    jpeg_failure *failure = (jpeg_failure *)decoder->err;
    char text[JMSG_LENGTH_MAX];
    decoder->err->format_message(decoder, text);
    snprintf(failure->info->message, sizeof failure->info->message, "%s", text);
    longjmp(failure->jump, 1);
}

static void on_message(j_common_ptr decoder, int level) {
    // Warnings (a truncated stream among them) count as errors: a damaged file is never a partial image.
    jpeg_failure *failure = (jpeg_failure *)decoder->err;
    if (level < 0) {
        char text[JMSG_LENGTH_MAX];
        decoder->err->format_message(decoder, text);
        snprintf(failure->info->message, sizeof failure->info->message, "%s", text);
        longjmp(failure->jump, 1);
    }
}

static int run(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info) {
    memset(info, 0, sizeof *info);
    struct jpeg_decompress_struct decoder;
    jpeg_failure failure;
    decoder.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = on_error;
    failure.manager.emit_message = on_message;
    failure.info = info;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&decoder);
        return -1;
    }
    jpeg_create_decompress(&decoder);
    jpeg_mem_src(&decoder, data, (unsigned long)size);
    jpeg_read_header(&decoder, TRUE);
    if (decoder.jpeg_color_space == JCS_CMYK || decoder.jpeg_color_space == JCS_YCCK) {
        snprintf(info->message, sizeof info->message, "CMYK JPEG images are not supported; convert it to RGB");
        longjmp(failure.jump, 1);
    }
    decoder.out_color_space = decoder.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    info->width = decoder.image_width;
    info->height = decoder.image_height;
    info->channels = decoder.num_components == 1 ? 1 : 3;
    if (pixels) {
        jpeg_start_decompress(&decoder);
        size_t stride = (size_t)decoder.output_width * decoder.output_components;
        if (decoder.output_width != info->width || decoder.output_height != info->height
            || (uint32_t)decoder.output_components != info->channels || stride * decoder.output_height > capacity) {
            snprintf(info->message, sizeof info->message, "unexpected output layout");
            longjmp(failure.jump, 1);
        }
        while (decoder.output_scanline < decoder.output_height) {
            JSAMPROW row = pixels + (size_t)decoder.output_scanline * stride;
            jpeg_read_scanlines(&decoder, &row, 1);
        }
        jpeg_finish_decompress(&decoder);
    }
    jpeg_destroy_decompress(&decoder);
    return 0;
}

int ek_jpeg_info(const uint8_t *data, size_t size, ek_image_info *info) { return run(data, size, NULL, 0, info); }

int ek_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info) {
    return run(data, size, pixels, capacity, info);
}
