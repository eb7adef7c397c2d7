"""Writes image sets as PNG folders (one subfolder per label) for `embkit-bench image` on data the
shipped backbone never saw, so the defaults are checked beyond the shipped Fashion-MNIST split.

    python3 make_png_folders.py FASHION_MNIST_DIR OUT

writes, with Pillow and scikit-learn:
- OUT/fashion-reversed/{pretrain,train,test}/<class>/*.png: Fashion-MNIST the other way round —
  pre-train on classes 5–9 (all 30,000 training images), transfer to classes 0–4 (the first
  1,000 training images of each, and every test image);
- OUT/digits/{pretrain,train,test}/<digit>/*.png: scikit-learn's 8 × 8 handwritten digits
  (UCI optdigits test set, 1,797 images) upscaled to 28 × 28 (bilinear, 0–16 → 0–255):
  pre-train on digits 0–4, transfer to 5–9 (the first 100 of each to train, the rest to test).
"""
import gzip
import os
import sys

from PIL import Image
from sklearn.datasets import load_digits

FASHION = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    data = gzip.open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return shape, data[4 + 4 * dims:]


def save(folder, label, index, image):
    os.makedirs(os.path.join(folder, label), exist_ok=True)
    image.save(os.path.join(folder, label, f"{index:05d}.png"))


def fashion(source, out):
    for split, prefix in [("train", "train"), ("test", "t10k")]:
        shape, pixels = read_idx(f"{source}/{prefix}-images-idx3-ubyte.gz")
        _, labels = read_idx(f"{source}/{prefix}-labels-idx1-ubyte.gz")
        size = shape[1] * shape[2]
        counts = [0] * 10
        for index, label in enumerate(labels):
            image = Image.frombytes("L", (shape[2], shape[1]), pixels[index * size:(index + 1) * size])
            if label >= 5 and split == "train":
                save(f"{out}/fashion-reversed/pretrain", FASHION[label], index, image)
            elif label < 5 and (split == "test" or counts[label] < 1000):
                counts[label] += 1
                save(f"{out}/fashion-reversed/{split}", FASHION[label], index, image)


def digits(out):
    data = load_digits()
    counts = [0] * 10
    for index, (values, label) in enumerate(zip(data.images, data.target)):
        small = Image.fromarray((values * 255 / 16).round().astype("uint8"), "L")
        image = small.resize((28, 28), Image.BILINEAR)
        if label < 5:
            save(f"{out}/digits/pretrain", str(label), index, image)
        else:
            counts[label] += 1
            save(f"{out}/digits/{'train' if counts[label] <= 100 else 'test'}", str(label), index, image)


fashion(sys.argv[1], sys.argv[2])
digits(sys.argv[2])
