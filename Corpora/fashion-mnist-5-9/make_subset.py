"""Writes the shipped Fashion-MNIST 5–9 subset from the original IDX files (pure Python).

    python3 make_subset.py /path/to/fashion-mnist

Training: 1,000 images of each of classes 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot), the first
1,000 of each class in file order; test: every test image of those classes. Labels become 0–4 in
that order and `classes.txt` names them. Files are gzipped with mtime 0, so the bytes are reproducible.
"""
import gzip
import sys

NAMES = ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CLASSES = [5, 6, 7, 8, 9]


def read(path):
    data = gzip.open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return shape, data[4 + 4 * dims:]


def write(path, shape, payload):
    header = bytes([0, 0, 8, len(shape)]) + b"".join(size.to_bytes(4, "big") for size in shape)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as file:
        file.write(header + payload)


def subset(source, prefix, per_class):
    shape, pixels = read(f"{source}/{prefix}-images-idx3-ubyte.gz")
    _, labels = read(f"{source}/{prefix}-labels-idx1-ubyte.gz")
    size = shape[1] * shape[2]
    kept, counts = [], {label: 0 for label in CLASSES}
    for index, label in enumerate(labels):
        if label in counts and (per_class is None or counts[label] < per_class):
            counts[label] += 1
            kept.append(index)
    write(f"{prefix}-images-idx3-ubyte.gz", [len(kept), shape[1], shape[2]],
          b"".join(pixels[i * size:(i + 1) * size] for i in kept))
    write(f"{prefix}-labels-idx1-ubyte.gz", [len(kept)], bytes(CLASSES.index(labels[i]) for i in kept))


subset(sys.argv[1], "train", 1000)
subset(sys.argv[1], "t10k", None)
with open("classes.txt", "w") as file:
    file.write("\n".join(NAMES) + "\n")
