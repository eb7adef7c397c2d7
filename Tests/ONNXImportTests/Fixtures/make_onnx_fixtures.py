"""Writes the small ONNX graphs the ONNXImport tests read, and onnxruntime's outputs for them.

    python3 make_onnx_fixtures.py   (PyPI onnx and onnxruntime; writes into this folder)

Each graph takes `input` [batch, C, H, W] and covers a group of operators: convolutions of every
kind (groups, depthwise, asymmetric pads, strides, dilations, auto_pad), batch normalisation,
the activations, squeeze-and-excitation products, pooling, concatenation, padding, the dense
heads (Gemm, MatMul), and the int64 shape arithmetic exporters leave (Shape, Gather, Slice with a
negative step, Cast, ConstantOfShape, Transpose, Unsqueeze, Concat, Reshape). Weights are drawn
from a seeded generator. For every graph, `NAME.input.f32` holds a batch of 2 inputs and
`NAME.output.f32` onnxruntime's outputs (raw little-endian float32), and `goldens.json` their shapes.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def weights(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def save(name, nodes, initializers, input_shape, output_shape, run=True):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch"] + input_shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch"] + output_shape)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="make_onnx_fixtures")
    model.ir_version = 7
    onnx.checker.check_model(model)
    path = os.path.join(HERE, name + ".onnx")
    onnx.save(model, path)
    if not run:
        return None
    data = rng.standard_normal([2] + input_shape).astype(np.float32)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    output = session.run(None, {"input": data})[0]
    data.astype("<f4").tofile(os.path.join(HERE, name + ".input.f32"))
    output.astype("<f4").tofile(os.path.join(HERE, name + ".output.f32"))
    return {"input": [2] + input_shape, "output": list(output.shape)}


goldens = {}

# Convolutions of every kind, batch normalisation folded or not, ReLU, Clip with inputs, MaxPool.
goldens["convolutions"] = save("convolutions", [
    helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 0, 2, 1], strides=[2, 1], name="asymmetric"),
    helper.make_node("BatchNormalization", ["c1", "s1", "t1", "m1", "v1"], ["n1"], epsilon=1e-3),
    helper.make_node("Relu", ["n1"], ["r1"]),
    helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], kernel_shape=[3, 3], pads=[2, 2, 2, 2], dilations=[2, 2], group=8, name="depthwise_dilated"),
    helper.make_node("Clip", ["c2", "zero", "six"], ["r2"]),
    helper.make_node("Conv", ["r2", "w3"], ["c3"], kernel_shape=[3, 3], group=2, strides=[2, 2], auto_pad="SAME_UPPER", name="grouped_same"),
    helper.make_node("BatchNormalization", ["c3", "s3", "t3", "m3", "v3"], ["n3"]),
    helper.make_node("Conv", ["n3", "w4", "b4"], ["c4"], kernel_shape=[5, 5], pads=[2, 2, 2, 2], group=4, name="depthwise_5x5"),
    helper.make_node("MaxPool", ["c4"], ["p4"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p4", "w5", "b5"], ["output"], kernel_shape=[1, 1], name="pointwise"),
], [weights("w1", 8, 3, 3, 3), weights("b1", 8), floats("s1", rng.uniform(0.5, 1.5, 8)), weights("t1", 8), weights("m1", 8),
    floats("v1", rng.uniform(0.5, 2, 8)), weights("w2", 8, 1, 3, 3), weights("b2", 8), floats("zero", 0.0), floats("six", 6.0),
    weights("w3", 4, 4, 3, 3), floats("s3", rng.uniform(0.5, 1.5, 4)), weights("t3", 4), weights("m3", 4),
    floats("v3", rng.uniform(0.5, 2, 4)), weights("w4", 4, 1, 5, 5), weights("b4", 4), weights("w5", 6, 4, 1, 1), weights("b5", 6)],
    [3, 17, 15], [6, 2, 3])

# Activations and element-wise arithmetic: squeeze-and-excitation (Mul by a per-channel map),
# HardSwish, HardSigmoid, Sigmoid, residual Add, constants added and multiplied, AveragePool, Concat, Pad.
goldens["activations"] = save("activations", [
    helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("HardSwish", ["c1"], ["h1"]),
    helper.make_node("GlobalAveragePool", ["h1"], ["g1"]),
    helper.make_node("Conv", ["g1", "w2", "b2"], ["e1"], kernel_shape=[1, 1]),
    helper.make_node("HardSigmoid", ["e1"], ["e2"], alpha=0.1666667, beta=0.5),
    helper.make_node("Mul", ["h1", "e2"], ["se"]),
    helper.make_node("Sigmoid", ["se"], ["sg"]),
    helper.make_node("Add", ["sg", "c1"], ["res"]),
    helper.make_node("Mul", ["res", "scale"], ["scaled"]),
    helper.make_node("Add", ["scaled", "shift"], ["shifted"]),
    helper.make_node("Sub", ["shifted", "half"], ["centred"]),
    helper.make_node("Div", ["centred", "two"], ["halved"]),
    helper.make_node("AveragePool", ["halved"], ["avg"], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
    helper.make_node("Pad", ["input", "pads", "fill"], ["padded"], mode="constant"),
    helper.make_node("AveragePool", ["padded"], ["pooled"], kernel_shape=[3, 3], strides=[1, 1]),
    helper.make_node("Concat", ["avg", "pooled"], ["output"], axis=1),
], [weights("w1", 6, 3, 3, 3), weights("b1", 6), weights("w2", 6, 6, 1, 1), weights("b2", 6), floats("scale", rng.uniform(0.5, 2, (6, 1, 1))),
    floats("shift", rng.standard_normal((1, 6, 1, 1))), floats("half", 0.5), floats("two", 2.0),
    ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]), floats("fill", 0.25)],
    [3, 8, 9], [9, 8, 9])

# TF-style padding computed by int64 shape arithmetic (as EfficientNet-Lite's exporter leaves it),
# then a head that flattens by Shape/Gather/Unsqueeze/Concat/Reshape, Gemm, Identity, Dropout,
# MatMul plus a constant and Softmax.
shape_nodes = [
    helper.make_node("Constant", [], ["pad_count"], value=numpy_helper.from_array(np.array([4], dtype=np.int64))),
    helper.make_node("ConstantOfShape", ["pad_count"], ["zeros"], value=numpy_helper.from_array(np.array([0], dtype=np.int64))),
    helper.make_node("Concat", ["hw_pads", "zeros"], ["all_pads"], axis=0),
    helper.make_node("Reshape", ["all_pads", "pairs"], ["paired"]),
    helper.make_node("Slice", ["paired", "slice_start", "slice_end", "slice_axis", "slice_step"], ["reversed"]),
    helper.make_node("Transpose", ["reversed"], ["transposed"], perm=[1, 0]),
    helper.make_node("Reshape", ["transposed", "flat"], ["flat_pads"]),
    helper.make_node("Cast", ["flat_pads"], ["onnx_pads"], to=TensorProto.INT64),
    helper.make_node("Pad", ["input", "onnx_pads", "zero"], ["padded"], mode="constant"),
    helper.make_node("Conv", ["padded", "w1", "b1"], ["c1"], kernel_shape=[3, 3], strides=[2, 2]),
    helper.make_node("Clip", ["c1", "zero", "six"], ["r1"]),
    helper.make_node("GlobalAveragePool", ["r1"], ["pool"]),
    helper.make_node("Shape", ["pool"], ["pool_shape"]),
    helper.make_node("Gather", ["pool_shape", "index0"], ["batch"], axis=0),
    helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
    helper.make_node("Concat", ["batch1", "minus1"], ["head_shape"], axis=0),
    helper.make_node("Reshape", ["pool", "head_shape"], ["features"]),
    helper.make_node("Identity", ["features"], ["same"]),
    helper.make_node("Dropout", ["same"], ["kept"]),
    helper.make_node("Gemm", ["kept", "w2", "b2"], ["hidden"], transB=1, alpha=0.5, beta=2.0),
    helper.make_node("MatMul", ["hidden", "w3"], ["scores"]),
    helper.make_node("Add", ["scores", "b3"], ["biased"]),
    helper.make_node("Softmax", ["biased"], ["output"], axis=1),
]
goldens["shape_arithmetic"] = save("shape_arithmetic", shape_nodes, [
    ints("hw_pads", [1, 2, 0, 1]), ints("pairs", [-1, 2]), ints("slice_start", [-1]), ints("slice_end", [-9223372036854775807]),
    ints("slice_axis", [0]), ints("slice_step", [-1]), ints("flat", [-1]), floats("zero", 0.0), floats("six", 6.0),
    weights("w1", 5, 3, 3, 3), weights("b1", 5), ints("index0", 0), ints("axes0", [0]), ints("minus1", [-1]),
    weights("w2", 7, 5), weights("b2", 7), weights("w3", 7, 4), weights("b3", 4)],
    [3, 11, 10], [4])

# Shape arithmetic that follows the batch, as torchvision's ViT exports it: a class token expanded
# to the batch and concatenated, attention-style reshapes of (tokens, batch × heads, width), the
# class token gathered back out.
batch_nodes = [
    helper.make_node("Shape", ["input"], ["shape"]),
    helper.make_node("Gather", ["shape", "index0"], ["batch"], axis=0),
    helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
    helper.make_node("Concat", ["batch1", "token_rest"], ["token_shape"], axis=0),
    helper.make_node("Equal", ["token_shape", "minus1"], ["is_free"]),
    helper.make_node("Where", ["is_free", "ones3", "token_shape"], ["expand_shape"]),
    helper.make_node("Expand", ["token", "expand_shape"], ["tokens"]),
    helper.make_node("Concat", ["tokens", "input"], ["sequence"], axis=1),
    helper.make_node("Transpose", ["sequence"], ["by_token"], perm=[1, 0, 2]),
    helper.make_node("Shape", ["by_token"], ["shape2"]),
    helper.make_node("Gather", ["shape2", "index1"], ["batch2"], axis=0),
    helper.make_node("Mul", ["batch2", "two"], ["batch_heads"]),
    helper.make_node("Unsqueeze", ["batch_heads", "axes0"], ["batch_heads1"]),
    helper.make_node("Concat", ["four", "batch_heads1", "two1"], ["head_shape"], axis=0),
    helper.make_node("Reshape", ["by_token", "head_shape"], ["heads"]),
    helper.make_node("Softmax", ["heads"], ["attention"], axis=-1),
    helper.make_node("Unsqueeze", ["batch2", "axes0"], ["batch3"]),
    helper.make_node("Concat", ["four", "batch3", "four"], ["merged_shape"], axis=0),
    helper.make_node("Reshape", ["attention", "merged_shape"], ["merged"]),
    helper.make_node("Transpose", ["merged"], ["by_image"], perm=[1, 0, 2]),
    helper.make_node("Gather", ["by_image", "index0"], ["output"], axis=1),
]
goldens["batch_following"] = save("batch_following", batch_nodes, [
    ints("index0", 0), ints("index1", 1), ints("axes0", [0]), ints("token_rest", [1, 4]), ints("minus1", -1), ints("ones3", [1, 1, 1]),
    weights("token", 1, 1, 4), ints("two", 2), ints("two1", [2]), ints("four", [4])],
    [3, 4], [4])

# A Slice whose end is the batch size: folded at batch 1 it would be wrong for every other batch,
# so the importer must refuse it (not run, only imported).
save("batch_slice", [
    helper.make_node("Shape", ["input"], ["shape"]),
    helper.make_node("Slice", ["shape", "zero1", "one1"], ["batch"]),
    helper.make_node("Slice", ["input", "zero1", "batch", "zero1"], ["output"], name="slice_to_batch"),
], [ints("zero1", [0]), ints("one1", [1])], [3, 4], [3, 4], run=False)

# A convolution whose filters hold a NaN: refused at load, naming the weight.
nan_filters = (np.arange(2 * 3 * 1 * 1, dtype=np.float32) / 10).reshape(2, 3, 1, 1)
nan_filters[1, 2, 0, 0] = np.nan
save("nan_weights", [helper.make_node("Conv", ["input", "filters"], ["output"], kernel_shape=[1, 1])],
     [numpy_helper.from_array(nan_filters, "filters")], [3, 4, 4], [2, 4, 4], run=False)

# An operator the importer does not know, to check the error names the node.
save("unsupported", [helper.make_node("Conv", ["input", "w1"], ["c1"], kernel_shape=[1, 1]),
                     helper.make_node("LpNormalization", ["c1"], ["output"], name="the_lp_norm")],
     [weights("w1", 2, 3, 1, 1)], [3, 4, 4], [2, 4, 4], run=False)

# A small masked-attention encoder written as torch's exporters write BERT: int64 ids and mask with
# a symbolic batch and sequence, an embedding Gather, the mask cast to booleans and turned into
# −3.4e38 scores by Where, a softmax cleaned of NaNs by IsNaN + Where, runtime Unsqueeze/Squeeze,
# comparisons and And, Split, Max, Expand, and masked mean pooling. Run at sequence length 6.
attention_nodes = [
    helper.make_node("Gather", ["table", "input_ids"], ["embedded"]),
    helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.BOOL),
    helper.make_node("GreaterOrEqual", ["input_ids", "first_real_id"], ["real"]),
    helper.make_node("And", ["mask", "real"], ["kept"]),
    helper.make_node("Unsqueeze", ["kept", "axes12"], ["kept4"]),
    helper.make_node("Where", ["kept4", "zero", "lowest"], ["bias"]),
    helper.make_node("MatMul", ["embedded", "wq"], ["q"]),
    helper.make_node("MatMul", ["embedded", "wk"], ["k"]),
    helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
    helper.make_node("MatMul", ["q", "kt"], ["scores"]),
    helper.make_node("Unsqueeze", ["scores", "axes1"], ["scores4"]),
    helper.make_node("Add", ["scores4", "bias"], ["masked"]),
    helper.make_node("Softmax", ["masked"], ["weights"], axis=-1),
    helper.make_node("IsNaN", ["weights"], ["undefined"]),
    helper.make_node("Where", ["undefined", "zero", "weights"], ["cleaned"]),
    helper.make_node("Squeeze", ["cleaned", "axes1"], ["attention"]),
    helper.make_node("MatMul", ["attention", "embedded"], ["context"]),
    helper.make_node("Split", ["context", "halves"], ["left", "right"], axis=2),
    helper.make_node("Max", ["left", "right", "floor"], ["larger"]),
    helper.make_node("Shape", ["larger"], ["larger_shape"]),
    helper.make_node("Cast", ["kept"], ["kept_float"], to=TensorProto.FLOAT),
    helper.make_node("Unsqueeze", ["kept_float", "axes2"], ["kept3"]),
    helper.make_node("Expand", ["kept3", "larger_shape"], ["kept_wide"]),
    helper.make_node("Mul", ["larger", "kept_wide"], ["pooled_terms"]),
    helper.make_node("ReduceSum", ["pooled_terms", "axes1"], ["output"], keepdims=0),
]
attention_graph = helper.make_graph(
    attention_nodes, "masked_attention",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
     helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4])],
    [weights("table", 20, 8, scale=1.0), weights("wq", 8, 8), weights("wk", 8, 8), ints("first_real_id", 1), ints("axes12", [1, 2]),
     ints("axes1", [1]), ints("axes2", [2]), floats("zero", 0.0), floats("lowest", -3.4028234663852886e+38), ints("halves", [4, 4]),
     floats("floor", -0.5)])
attention_model = helper.make_model(attention_graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="make_onnx_fixtures")
attention_model.ir_version = 7
onnx.checker.check_model(attention_model)
onnx.save(attention_model, os.path.join(HERE, "masked_attention.onnx"))
attention_ids = np.array([[3, 7, 0, 12, 19, 0], [5, 5, 2, 0, 0, 0], [0, 0, 0, 0, 0, 0]], dtype=np.int64)
attention_mask = np.array([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]], dtype=np.int64)
attention_session = onnxruntime.InferenceSession(os.path.join(HERE, "masked_attention.onnx"), providers=["CPUExecutionProvider"])
attention_output = attention_session.run(None, {"input_ids": attention_ids, "attention_mask": attention_mask})[0]
np.concatenate([attention_ids.reshape(-1), attention_mask.reshape(-1)]).astype("<i4").tofile(os.path.join(HERE, "masked_attention.input.i32"))
attention_output.astype("<f4").tofile(os.path.join(HERE, "masked_attention.output.f32"))
goldens["masked_attention"] = {"input": list(attention_ids.shape), "output": list(attention_output.shape)}
print("masked_attention", attention_output)

with open(os.path.join(HERE, "goldens.json"), "w") as file:
    json.dump({"generator": f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}", "graphs": goldens}, file, indent=1, sort_keys=True)
