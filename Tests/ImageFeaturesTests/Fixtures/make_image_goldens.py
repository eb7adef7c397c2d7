"""Writes the PNG/JPEG test images and Pillow's decoding of them (the goldens of ImageDecodingTests).

Run from this folder with Pillow and numpy installed (pip install Pillow numpy):
    python3 make_image_goldens.py
It writes images/*.png|jpg and image_goldens.json: for each file its size and Pillow's pixels
as 8-bit gray ("L") and RGB, and for the resize cases Pillow's bilinear resize of the shorter
side plus a centre crop (torchvision's Resize(size) + CenterCrop(size) arithmetic).

16-bit gray: Pillow's convert("L") clips I;16 values to 255 (almost every pixel white), so the
golden takes the high byte of Pillow's decoded 16-bit values instead — what Pillow itself does for
16-bit RGB, and what EmbeddingKit does for both.
"""
import json
import shutil
import struct
import zlib

import numpy as np
from PIL import Image

rng = np.random.default_rng(7)
goldens = {}


def raw_png(path, array, color_type, bit_depth):
    """A minimal PNG writer for the 16-bit cases Pillow cannot save (big-endian samples)."""
    height, width = array.shape[:2]
    rows = b"".join(b"\x00" + array[row].astype(">u2").tobytes() for row in range(height))  # filter 0, samples in order

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def record(name, gray16=None):
    image = Image.open(f"images/{name}")
    image.load()
    entry = {"width": image.width, "height": image.height}
    if gray16 is not None:
        values = np.array(image, dtype=np.uint32)
        entry["gray"] = (values >> 8).astype(np.uint8).flatten().tolist()
        entry["rgb"] = np.repeat((values >> 8).astype(np.uint8)[..., None], 3, axis=2).flatten().tolist()
    else:
        entry["gray"] = list(image.convert("L").tobytes())
        entry["rgb"] = list(image.convert("RGB").tobytes())
    goldens[name] = entry


def fit(image, width, height):
    """torchvision Resize(min side) + CenterCrop on a Pillow image."""
    w, h = image.size
    if w * height <= h * width:
        size = (width, max(height, h * width // w))
    else:
        size = (max(width, w * height // h), height)
    resized = image.resize(size, Image.BILINEAR)
    top = int(round((resized.height - height) / 2.0))
    left = int(round((resized.width - width) / 2.0))
    return resized.crop((left, top, left + width, top + height))


def planar(image):
    array = np.array(image)
    if array.ndim == 2:
        return array.flatten().tolist()
    return array.transpose(2, 0, 1).flatten().tolist()


gray = rng.integers(0, 256, (9, 13), dtype=np.uint8)
rgb = rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
rgba = rng.integers(0, 256, (9, 13, 4), dtype=np.uint8)

Image.fromarray(gray, "L").save("images/gray8.png")
Image.fromarray(rgb, "RGB").save("images/rgb8.png")
# Pillow writes no interlaced PNGs; libpng's own test image is one (Adam7, RGBA, with gAMA and
# cHRM chunks that decoding leaves alone), shipped by Debian's libpng-dev (libpng licence).
shutil.copyfile("/usr/share/doc/libpng-dev/examples/pngtest.png", "images/pngtest_interlaced.png")
Image.fromarray(rgba, "RGBA").save("images/rgba8.png")
Image.fromarray(rgba[..., :2].copy(), "LA").save("images/gray_alpha.png")
Image.fromarray(gray > 127).save("images/gray1.png")
palette = Image.fromarray(rgb, "RGB").quantize(16)
palette.save("images/palette.png")
palette.save("images/palette_transparent.png", transparency=3)
raw_png("images/gray16.png", rng.integers(0, 65536, (9, 13)).astype(np.uint16), 0, 16)
raw_png("images/rgb16.png", rng.integers(0, 65536, (9, 13, 3)).astype(np.uint16), 2, 16)
Image.fromarray(rgb, "RGB").save("images/rgb.jpg", quality=90)
Image.fromarray(gray, "L").save("images/gray.jpg", quality=90)

for name in ["gray8.png", "rgb8.png", "pngtest_interlaced.png", "rgba8.png", "gray_alpha.png", "gray1.png", "palette.png",
             "palette_transparent.png", "rgb16.png", "rgb.jpg", "gray.jpg"]:
    record(name)
record("gray16.png", gray16=True)

# Resizing: a photo-like gradient with noise, shrunk (antialiased) and enlarged, gray and RGB.
y, x = np.mgrid[0:47, 0:61]
scene = np.stack([(x * 4) % 256, (y * 5) % 256, (x + y) * 2 % 256], axis=2) + rng.integers(0, 30, (47, 61, 3))
Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8), "RGB").save("images/scene.png")
record("scene.png")
source = Image.open("images/scene.png")
resized = {
    "gray_28x28": planar(fit(source.convert("L"), 28, 28)),
    "rgb_20x20": planar(fit(source, 20, 20)),
    "rgb_80x96": planar(fit(source, 80, 96)),
}
goldens["scene.png"]["fitted"] = resized

with open("image_goldens.json", "w") as file:
    json.dump(goldens, file, separators=(",", ":"))
