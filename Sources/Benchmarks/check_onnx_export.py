#!/usr/bin/env python3
"""Checks an image model exported by `embkit export` in onnxruntime against EmbeddingKit.

Runs the exported ONNX file on IDX test images (pixel values as they are: the small ConvNet's
28 x 28 input) and compares accuracy and the confusion matrix with `embkit image test --json` of
the model file it was exported from (run by the caller, its JSON given as an argument).

  embkit image test --model M.ekm --test t10k-images-idx3-ubyte.gz --json > ours.json
  embkit export M.ekm --output M.onnx
  python3 Sources/Benchmarks/check_onnx_export.py M.onnx t10k-images-idx3-ubyte.gz ours.json

The labels come from the IDX labels file beside the images and `classes.txt` in that folder.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


model_path, images_path, ours_path = sys.argv[1:4]
folder = os.path.dirname(images_path)
labels = read_idx(images_path.replace("images-idx3", "labels-idx1"))
names = open(os.path.join(folder, "classes.txt")).read().split("\n")
model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)
metadata = {entry.key: entry.value for entry in model.metadata_props}
classes = metadata["embkit.labels"].split("\n")
truth = np.array([classes.index(names[label]) for label in labels])
images = read_idx(images_path).astype(np.float32)[:, None, :, :]
session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
start = time.perf_counter()
probabilities = np.concatenate([session.run(None, {"pixels": images[i:i + 256]})[0] for i in range(0, len(images), 256)])
seconds = time.perf_counter() - start
predicted = probabilities.argmax(axis=1)
confusion = np.zeros((len(classes), len(classes)), dtype=int)
for t, p in zip(truth, predicted):
    confusion[t, p] += 1
ours = json.load(open(ours_path))
print(f"onnxruntime {onnxruntime.__version__}: accuracy {np.mean(predicted == truth):.4f} on {len(truth)} images ({seconds:.2f} s); "
      f"EmbeddingKit: {ours['accuracy']:.4f}; confusion matrices equal: {confusion.tolist() == ours['confusion']['matrix']}")
