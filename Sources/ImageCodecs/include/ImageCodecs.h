#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

/// What a decoder learned of an image: its size and the channels it decodes to (1 gray, 2 gray +
/// alpha, 3 RGB, 4 RGBA; always 8 bits per channel), or why it failed.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    char message[256];
} ek_image_info;

/// Reads a PNG's header: 0 on success, -1 with `info->message` set otherwise.
int ek_png_info(const uint8_t *data, size_t size, ek_image_info *info);
/// Decodes a PNG into `pixels` (width × height × channels bytes, rows top to bottom): palettes
/// expanded to RGB (transparency ignored), gray below 8 bits scaled to 0–255, 16-bit samples
/// reduced to their high byte, interlacing undone, gamma left as stored. 0 on success, -1 with
/// `info->message` set otherwise.
int ek_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info);

/// Reads a JPEG's header: 0 on success, -1 with `info->message` set otherwise (CMYK is refused).
int ek_jpeg_info(const uint8_t *data, size_t size, ek_image_info *info);
/// Decodes a JPEG (gray, or YCbCr/RGB to RGB; the library's default integer DCT) into `pixels`.
int ek_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, ek_image_info *info);

#endif
