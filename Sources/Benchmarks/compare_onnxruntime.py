"""onnxruntime's side of `embkit-bench onnx`: images per second of an ONNX model on a raw
float32 1 x 3 x S x S input repeated to the batch size, with the same thread count, as the
median of several timed runs after a warm-up. Prints one JSON object.

    python3 compare_onnxruntime.py MODEL INPUT.f32 --batch 16 --threads 1 --images 128 --runs 5
"""
import argparse
import json
import time

import numpy as np
import onnxruntime

parser = argparse.ArgumentParser()
parser.add_argument("model")
parser.add_argument("input")
parser.add_argument("--batch", type=int, default=1)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--images", type=int, default=128)
parser.add_argument("--runs", type=int, default=5)
arguments = parser.parse_args()

options = onnxruntime.SessionOptions()
options.intra_op_num_threads = arguments.threads
options.inter_op_num_threads = 1
options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
session = onnxruntime.InferenceSession(arguments.model, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
values = np.fromfile(arguments.input, dtype="<f4")
side = int(round((values.size / 3) ** 0.5))  # square inputs: 224, 299, …
single = values.reshape(1, 3, side, side)
batch = np.repeat(single, arguments.batch, axis=0)
calls = max(1, arguments.images // arguments.batch)
for _ in range(3):
    session.run(None, {name: batch})
times = []
for _ in range(arguments.runs):
    start = time.perf_counter()
    for _ in range(calls):
        session.run(None, {name: batch})
    times.append(time.perf_counter() - start)
median = sorted(times)[len(times) // 2]
print(json.dumps({"version": onnxruntime.__version__, "images_per_second": calls * arguments.batch / median}))
