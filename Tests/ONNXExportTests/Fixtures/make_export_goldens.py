#!/usr/bin/env python3
"""Writes the ONNX export fixtures and onnxruntime's outputs for them.

1. `swift test --filter writeFixtures` with EMBKIT_WRITE_EXPORT_FIXTURES=1 writes NAME.onnx for
   every model of ExportedModels.swift (random weights from fixed seeds, no training);
2. each file is checked by onnx.checker (full check, with shape inference) and run by
   onnxruntime on a batch of 3 seeded inputs: whole pixel values 0-255 for image models, normal
   vectors for text heads. NAME.input.f32 and NAME.output.f32 hold them (float32 little-endian).

Run from anywhere: python3 Tests/ONNXExportTests/Fixtures/make_export_goldens.py
Needs: pip install onnx onnxruntime numpy (made with onnx 1.23.2, onnxruntime 1.32.0).
"""
import json
import os
import subprocess

import numpy as np
import onnx
import onnxruntime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
NAMES = ["convnet", "convnet-features-mlp", "graph", "graph-features-one-vs-all", "text-features-logistic"]

subprocess.run(["swift", "test", "--filter", "ONNXExportTests.writeFixtures"], cwd=ROOT, check=True,
               env=dict(os.environ, EMBKIT_WRITE_EXPORT_FIXTURES="1"))
record = {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "models": {}}
rng = np.random.default_rng(2026)
for name in NAMES:
    path = os.path.join(HERE, name + ".onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    declared = session.get_inputs()[0]
    shape = [3] + list(declared.shape[1:])
    if declared.name == "pixels":
        inputs = rng.integers(0, 256, size=shape).astype(np.float32)
    else:
        inputs = rng.standard_normal(size=shape).astype(np.float32)
    outputs = session.run(None, {declared.name: inputs})[0].astype(np.float32)
    inputs.astype("<f4").tofile(os.path.join(HERE, name + ".input.f32"))
    outputs.astype("<f4").tofile(os.path.join(HERE, name + ".output.f32"))
    record["models"][name] = {"input": declared.name, "input_shape": shape, "output_shape": list(outputs.shape),
                              "operators": sorted({node.op_type for node in model.graph.node})}
    print(name, shape, "->", outputs.shape)
with open(os.path.join(HERE, "goldens.json"), "w") as handle:
    json.dump(record, handle, indent=1, sort_keys=True)
    handle.write("\n")
