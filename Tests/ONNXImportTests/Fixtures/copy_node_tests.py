"""Copies ONNX's own backend node tests (Debian `libonnx-testdata`: ONNX 1.12's `model.onnx` +
`test_data_set_0/input_*.pb` / `output_*.pb`) for every operator the importer runs as a graph node
into `node/`, where `ONNXConformanceTests` runs each one. The tests and their expected outputs are
ONNX's, unchanged; this script only picks them (one-node models of the listed operators, not the
`_expanded` function bodies) and skips none.

    apt-get install libonnx-testdata; python3 copy_node_tests.py   (PyPI onnx, to read the models)
"""
import os
import shutil
import sys

import onnx

SOURCE = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))
OPERATORS = {
    "Add", "And", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Conv", "Div", "Dropout", "Equal", "Erf",
    "Expand", "Flatten", "Gather", "GatherND", "Gelu", "Gemm", "GlobalAveragePool", "Greater", "GreaterOrEqual", "HardSigmoid",
    "HardSwish", "Identity", "IsNaN", "LayerNormalization", "Less", "LessOrEqual", "LogSoftmax", "MatMul", "Max", "MaxPool",
    "Min", "Mul", "Not", "Or", "Pad", "Pow", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Shape", "Sigmoid", "Slice", "Softmax",
    "Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Where", "Xor",
}

target = os.path.join(HERE, "node")
shutil.rmtree(target, ignore_errors=True)
copied = {}
for name in sorted(os.listdir(SOURCE)):
    folder = os.path.join(SOURCE, name)
    if name.endswith("_expanded") or not os.path.exists(os.path.join(folder, "model.onnx")):
        continue
    model = onnx.load(os.path.join(folder, "model.onnx"))
    operators = {node.op_type for node in model.graph.node}
    if len(model.graph.node) != 1 or not operators <= OPERATORS:
        continue
    shutil.copytree(folder, os.path.join(target, name), ignore=shutil.ignore_patterns("test_data_set_[1-9]*"))
    copied[model.graph.node[0].op_type] = copied.get(model.graph.node[0].op_type, 0) + 1
print(sum(copied.values()), "tests of", len(copied), "operators:", ", ".join(f"{k} {v}" for k, v in sorted(copied.items())), file=sys.stderr)
