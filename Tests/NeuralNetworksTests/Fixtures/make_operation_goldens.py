#!/usr/bin/python3
"""Writes operation_goldens.json: PyTorch's forward results and autograd gradients for every
differentiable operation of the NeuralNetworks graph, on seeded random inputs and upstream
gradients. Each case names the registered operation, its attributes (as the graph stores them),
its inputs (float32-representable values; `role` says whether the graph holds it as a weight or a
running statistic), the output, the upstream gradient, each input's gradient, and for batch
normalisation in training mode the running statistics after the pass.

Run: /usr/bin/python3 make_operation_goldens.py  (Debian python3-torch 1.13, CPU; the maths in
float64, the stored values rounded to float32).
"""
import json
import math

import torch
import torch.nn.functional as F

torch.manual_seed(25)
torch.set_default_dtype(torch.float64)


def values(tensor):
    return [float(v) for v in tensor.detach().reshape(-1).tolist()]


def rounded(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float().double()


cases = []


def case(name, operation, attributes, inputs, function, mode="training", roles=None, statistics=None):
    """inputs: list of tensors (float64, float32-representable); function(*inputs) -> output."""
    roles = roles or ["weight"] * len(inputs)
    leaves = [t.clone().requires_grad_(role == "weight") for t, role in zip(inputs, roles)]
    output = function(*leaves)
    upstream = rounded(*output.shape)
    output.backward(upstream)
    entry = {
        "name": name, "operation": operation, "attributes": attributes, "mode": mode,
        "inputs": [{"shape": list(t.shape), "values": values(t), "role": role} for t, role in zip(inputs, roles)],
        "output": {"shape": list(output.shape), "values": values(output)},
        "upstream": values(upstream),
        "gradients": [values(leaf.grad) if leaf.grad is not None else None for leaf in leaves],
    }
    if statistics is not None:
        entry["statistics"] = {str(k): values(v) for k, v in statistics.items()}
    cases.append(entry)


def attribute_integers(values):
    return {"integers": values}


def attribute_integer(value):
    return {"integer": value}


def attribute_float(value):
    return {"float": value}


def attribute_string(value):
    return {"string": value}


def conv(name, x_shape, out, kernel, stride=1, padding=(0, 0, 0, 0), dilation=1, groups=1):
    x = rounded(*x_shape)
    w = rounded(out, x_shape[1] // groups, kernel, kernel, scale=0.5)
    b = rounded(out)
    top, left, bottom, right = padding

    def run(x, w, b):
        return F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride, dilation=dilation, groups=groups)

    case(name, "Conv", {"kernel_shape": attribute_integers([kernel, kernel]), "strides": attribute_integers([stride, stride]),
                        "pads": attribute_integers([top, left, bottom, right]), "dilations": attribute_integers([dilation, dilation]),
                        "group": attribute_integer(groups)}, [x, w, b], run)


conv("conv 3x3 pad 1", (2, 3, 7, 6), 4, 3, padding=(1, 1, 1, 1))
conv("conv 3x3 stride 2 pad 1 groups 2", (2, 4, 9, 8), 6, 3, stride=2, padding=(1, 1, 1, 1), groups=2)
conv("depthwise 3x3 stride 2 pad 1", (3, 4, 8, 8), 4, 3, stride=2, padding=(1, 1, 1, 1), groups=4)
conv("depthwise 3x3 stride 1 pad 1", (2, 5, 6, 7), 5, 3, padding=(1, 1, 1, 1), groups=5)
conv("conv 3x3 dilation 2 pad 2", (2, 2, 9, 7), 3, 3, padding=(2, 2, 2, 2), dilation=2)
conv("pointwise 1x1", (2, 5, 4, 3), 3, 1)
conv("conv 3x3 stride 2 asymmetric pads", (2, 3, 8, 8), 4, 3, stride=2, padding=(0, 0, 1, 1))


def batch_norm(name, shape, mode):
    channels = shape[1]
    x = rounded(*shape, scale=2.0) + 0.5
    gamma, beta = rounded(channels), rounded(channels)
    mean, variance = rounded(channels) * 0.1, rounded(channels).abs() + 0.5
    running_mean, running_var = mean.clone(), variance.clone()

    def run(x, gamma, beta, m, v):
        return F.batch_norm(x, running_mean, running_var, gamma, beta, training=(mode == "training"), momentum=0.1, eps=1e-5)

    case(name, "BatchNormalization", {"epsilon": attribute_float(1e-5), "momentum": attribute_float(0.9)},
         [x, gamma, beta, mean, variance], run, mode=mode, roles=["weight", "weight", "weight", "statistic", "statistic"],
         statistics={3: running_mean, 4: running_var} if mode == "training" else None)


batch_norm("batch norm 2-D training", (4, 3, 5, 4), "training")
batch_norm("batch norm 2-D frozen statistics", (4, 3, 5, 4), "inference")
batch_norm("batch norm 1-D training", (6, 5), "training")


def pool(name, operation, shape, kernel, stride, padding, ceil=False, count_include_pad=False, dilation=1):
    x = rounded(*shape)
    attributes = {"kernel_shape": attribute_integers([kernel, kernel]), "strides": attribute_integers([stride, stride]),
                  "pads": attribute_integers([padding] * 4), "ceil_mode": attribute_integer(1 if ceil else 0)}
    if operation == "MaxPool":
        attributes["dilations"] = attribute_integers([dilation, dilation])
        run = lambda x: F.max_pool2d(x, kernel, stride, padding, dilation=dilation, ceil_mode=ceil)
    else:
        attributes["count_include_pad"] = attribute_integer(1 if count_include_pad else 0)
        run = lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil, count_include_pad=count_include_pad)
    case(name, operation, attributes, [x], run)


pool("max pool 2x2 stride 2", "MaxPool", (2, 3, 6, 6), 2, 2, 0)
pool("max pool 3x3 stride 2 pad 1", "MaxPool", (2, 2, 7, 7), 3, 2, 1)
pool("max pool 3x3 stride 2 ceil mode", "MaxPool", (1, 2, 8, 8), 3, 2, 0, ceil=True)
pool("max pool 2x2 dilation 2", "MaxPool", (1, 2, 7, 7), 2, 1, 0, dilation=2)
pool("average pool 3x3 pad 1 counting padding", "AveragePool", (2, 2, 5, 6), 3, 1, 1, count_include_pad=True)
pool("average pool 3x3 pad 1 without padding", "AveragePool", (2, 2, 5, 6), 3, 1, 1)
pool("average pool 3x3 stride 2 ceil mode", "AveragePool", (1, 2, 8, 8), 3, 2, 1, ceil=True, count_include_pad=True)
case("global average pool", "GlobalAveragePool", {}, [rounded(2, 3, 4, 5)], lambda x: F.adaptive_avg_pool2d(x, 1))

for operation, function in [("Add", torch.add), ("Sub", torch.sub), ("Mul", torch.mul)]:
    case(f"{operation} same shapes", operation, {}, [rounded(2, 3, 4), rounded(2, 3, 4)], function)
    case(f"{operation} per channel", operation, {}, [rounded(2, 3, 4, 5), rounded(3, 1, 1)], function)
    case(f"{operation} scalar first", operation, {}, [rounded(1), rounded(2, 3)], function)
    case(f"{operation} both broadcast", operation, {}, [rounded(2, 1, 4), rounded(3, 1)], function)
case("Div per channel", "Div", {}, [rounded(2, 3, 4, 5), rounded(3, 1, 1).abs() + 0.5], torch.div)
case("Div both broadcast", "Div", {}, [rounded(2, 1, 4), rounded(3, 1).abs() + 0.5], torch.div)

case("Concat channels", "Concat", {"axis": attribute_integer(1)}, [rounded(2, 3, 2, 2), rounded(2, 1, 2, 2), rounded(2, 2, 2, 2)],
     lambda *xs: torch.cat(xs, 1))
case("Concat last axis", "Concat", {"axis": attribute_integer(-1)}, [rounded(2, 3), rounded(2, 4)], lambda *xs: torch.cat(xs, -1))
case("Flatten", "Flatten", {"axis": attribute_integer(1)}, [rounded(2, 3, 2, 2)], lambda x: torch.flatten(x, 1))
case("Reshape", "Reshape", {"shape": attribute_integers([0, -1, 2])}, [rounded(2, 3, 4)], lambda x: x.reshape(2, -1, 2))
case("Pad", "Pad", {"pads": attribute_integers([0, 0, 1, 2, 0, 0, 2, 1]), "value": attribute_float(0.5), "mode": attribute_string("constant")},
     [rounded(2, 2, 3, 3)], lambda x: F.pad(x, (2, 1, 1, 2), value=0.5))

case("Gemm weights outputs x inputs", "Gemm", {"transB": attribute_integer(1), "alpha": attribute_float(1.0), "beta": attribute_float(1.0)},
     [rounded(5, 7), rounded(4, 7), rounded(4)], lambda x, w, b: F.linear(x, w, b))
case("Gemm weights inputs x outputs, alpha beta", "Gemm", {"transB": attribute_integer(0), "alpha": attribute_float(0.5), "beta": attribute_float(2.0)},
     [rounded(5, 7), rounded(7, 4), rounded(1, 4)], lambda x, w, b: 0.5 * x @ w + 2.0 * b)
case("MatMul batched with broadcast", "MatMul", {}, [rounded(2, 3, 4, 5), rounded(3, 5, 2)], torch.matmul)
case("MatMul data by weight matrix", "MatMul", {}, [rounded(2, 3, 5), rounded(5, 4)], torch.matmul)

unary = [
    ("Relu", {}, F.relu), ("Clip 0..6", {"min": attribute_float(0.0), "max": attribute_float(6.0)}, lambda x: F.hardtanh(x, 0.0, 6.0)),
    ("Sigmoid", {}, torch.sigmoid), ("Tanh", {}, torch.tanh), ("Erf", {}, torch.erf),
    ("HardSigmoid", {"alpha": attribute_float(0.2), "beta": attribute_float(0.5)}, lambda x: torch.clamp(0.2 * x + 0.5, 0, 1)),
    ("HardSwish", {}, F.hardswish), ("SiLU", {}, F.silu),
    ("Gelu", {"approximate": attribute_string("none")}, lambda x: F.gelu(x)),
    ("Gelu tanh", {"approximate": attribute_string("tanh")}, lambda x: F.gelu(x, approximate="tanh")),
]
for name, attributes, function in unary:
    operation = name.split(" ")[0]
    case(name, operation, attributes, [rounded(3, 4, 5, scale=3.0)], function)

case("Softmax last axis", "Softmax", {"axis": attribute_integer(-1)}, [rounded(3, 7, scale=2.0)], lambda x: F.softmax(x, -1))
case("Softmax channels", "Softmax", {"axis": attribute_integer(1)}, [rounded(2, 4, 3, 2, scale=2.0)], lambda x: F.softmax(x, 1))
case("LogSoftmax last axis", "LogSoftmax", {"axis": attribute_integer(-1)}, [rounded(3, 7, scale=2.0)], lambda x: F.log_softmax(x, -1))
case("LogSoftmax channels", "LogSoftmax", {"axis": attribute_integer(1)}, [rounded(2, 4, 3, scale=2.0)], lambda x: F.log_softmax(x, 1))
case("LayerNormalization", "LayerNormalization", {"axis": attribute_integer(-1), "epsilon": attribute_float(1e-5)},
     [rounded(2, 3, 6, scale=2.0), rounded(6), rounded(6)], lambda x, g, b: F.layer_norm(x, (6,), g, b, 1e-5))

# Whole graphs: a node list both sides execute (PyTorch here, the Graph in Swift), with the
# gradient of the input and of every parameter after one backward pass (batch norm in training mode).
def run_network(name, input_shape, parameters, nodes):
    x = rounded(*input_shape).requires_grad_(True)
    leaves = {p: t.clone().requires_grad_(kind == "weight") for p, (t, kind) in parameters.items()}
    values = []

    def value(reference):
        if reference == "input":
            return x
        if reference.startswith("p:"):
            return leaves[reference[2:]]
        return values[int(reference[2:])]

    for node in nodes:
        op, a, ins = node["operation"], node["attributes"], [value(r) for r in node["inputs"]]
        if op == "Conv":
            top, left, bottom, right = a["pads"]["integers"]
            y = F.conv2d(F.pad(ins[0], (left, right, top, bottom)), ins[1], ins[2] if len(ins) > 2 else None,
                         stride=a["strides"]["integers"][0], groups=a["group"]["integer"])
        elif op == "BatchNormalization":
            y = F.batch_norm(ins[0], ins[3].detach().clone(), ins[4].detach().clone(), ins[1], ins[2], training=True, momentum=0.1, eps=1e-5)
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Clip":
            y = F.hardtanh(ins[0], a["min"]["float"], a["max"]["float"])
        elif op == "HardSwish":
            y = F.hardswish(ins[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "MaxPool":
            y = F.max_pool2d(ins[0], a["kernel_shape"]["integers"][0], a["strides"]["integers"][0])
        elif op == "AveragePool":
            y = F.avg_pool2d(ins[0], a["kernel_shape"]["integers"][0], a["strides"]["integers"][0])
        elif op == "GlobalAveragePool":
            y = F.adaptive_avg_pool2d(ins[0], 1)
        elif op == "Flatten":
            y = torch.flatten(ins[0], 1)
        elif op == "Gemm":
            y = F.linear(ins[0], ins[1], ins[2])
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "Mul":
            y = ins[0] * ins[1]
        elif op == "Concat":
            y = torch.cat(ins, a["axis"]["integer"])
        else:
            raise ValueError(op)
        values.append(y)
    output = values[-1]
    upstream = rounded(*output.shape)
    output.backward(upstream)
    networks.append({
        "name": name, "input": {"shape": list(input_shape), "values": values_of(x)},
        "parameters": [{"name": p, "shape": list(t.shape), "values": values_of(t), "kind": kind} for p, (t, kind) in parameters.items()],
        "nodes": nodes, "output": {"shape": list(output.shape), "values": values_of(output)}, "upstream": values_of(upstream),
        "input_gradient": values_of(x.grad),
        "parameter_gradients": {p: values_of(leaf.grad) for p, leaf in leaves.items() if leaf.grad is not None},
    })


values_of = values
networks = []


def conv_node(inputs, pads=(0, 0, 0, 0), stride=1, group=1, kernel=3):
    return {"operation": "Conv", "inputs": inputs, "attributes": {
        "kernel_shape": attribute_integers([kernel, kernel]), "strides": attribute_integers([stride, stride]),
        "pads": attribute_integers(list(pads)), "dilations": attribute_integers([1, 1]), "group": attribute_integer(group)}}


def node(operation, inputs, **attributes):
    return {"operation": operation, "inputs": inputs, "attributes": attributes}


def bn_parameters(prefix, channels):
    return {f"{prefix}.weight": (rounded(channels) * 0.2 + 1, "weight"), f"{prefix}.bias": (rounded(channels) * 0.2, "weight"),
            f"{prefix}.mean": (torch.zeros(channels), "statistic"), f"{prefix}.var": (torch.ones(channels), "statistic")}


def bn_node(source, prefix):
    return node("BatchNormalization", [source, f"p:{prefix}.weight", f"p:{prefix}.bias", f"p:{prefix}.mean", f"p:{prefix}.var"],
                epsilon=attribute_float(1e-5), momentum=attribute_float(0.9))


# The small ConvNet of the toolkit's shape: conv → BN → ReLU → max pool → conv → ReLU → average pool → flatten → dense.
parameters = {"c1.weight": (rounded(4, 1, 3, 3, scale=0.5), "weight"), "c1.bias": (rounded(4), "weight")}
parameters.update(bn_parameters("bn1", 4))
parameters.update({"c2.weight": (rounded(6, 4, 3, 3, scale=0.3), "weight"), "c2.bias": (rounded(6), "weight"),
                   "d.weight": (rounded(5, 24, scale=0.3), "weight"), "d.bias": (rounded(5), "weight")})
run_network("small ConvNet", (3, 1, 12, 12), parameters, [
    conv_node(["input", "p:c1.weight", "p:c1.bias"], pads=(1, 1, 1, 1)), bn_node("n:0", "bn1"), node("Relu", ["n:1"]),
    node("MaxPool", ["n:2"], kernel_shape=attribute_integers([2, 2]), strides=attribute_integers([2, 2]), pads=attribute_integers([0, 0, 0, 0])),
    conv_node(["n:3", "p:c2.weight", "p:c2.bias"]), node("Relu", ["n:4"]),
    node("AveragePool", ["n:5"], kernel_shape=attribute_integers([2, 2]), strides=attribute_integers([2, 2]), pads=attribute_integers([0, 0, 0, 0])),
    node("Flatten", ["n:6"], axis=attribute_integer(1)), node("Gemm", ["n:7", "p:d.weight", "p:d.bias"], transB=attribute_integer(1)),
])

# A MobileNet-like block: expansion, depthwise, squeeze-and-excitation, projection, a residual
# connection, a branch concatenated beside it, global pool and classifier (values read twice).
parameters = {"e.weight": (rounded(8, 4, 1, 1, scale=0.5), "weight")}
parameters.update(bn_parameters("bn1", 8))
parameters.update({"dw.weight": (rounded(8, 1, 3, 3, scale=0.5), "weight")})
parameters.update(bn_parameters("bn2", 8))
parameters.update({"se1.weight": (rounded(2, 8, 1, 1, scale=0.5), "weight"), "se1.bias": (rounded(2), "weight"),
                   "se2.weight": (rounded(8, 2, 1, 1, scale=0.5), "weight"), "se2.bias": (rounded(8), "weight"),
                   "pr.weight": (rounded(4, 8, 1, 1, scale=0.5), "weight")})
parameters.update(bn_parameters("bn3", 4))
parameters.update({"br.weight": (rounded(3, 4, 3, 3, scale=0.3), "weight"), "br.bias": (rounded(3), "weight"),
                   "fc.weight": (rounded(5, 7, scale=0.5), "weight"), "fc.bias": (rounded(5), "weight")})
run_network("inverted residual block with squeeze-and-excitation", (2, 4, 6, 6), parameters, [
    conv_node(["input", "p:e.weight"], kernel=1), bn_node("n:0", "bn1"), node("Clip", ["n:1"], min=attribute_float(0.0), max=attribute_float(6.0)),
    conv_node(["n:2", "p:dw.weight"], pads=(1, 1, 1, 1), group=8), bn_node("n:3", "bn2"), node("HardSwish", ["n:4"]),
    node("GlobalAveragePool", ["n:5"]), conv_node(["n:6", "p:se1.weight", "p:se1.bias"], kernel=1), node("Relu", ["n:7"]),
    conv_node(["n:8", "p:se2.weight", "p:se2.bias"], kernel=1), node("Sigmoid", ["n:9"]), node("Mul", ["n:5", "n:10"]),
    conv_node(["n:11", "p:pr.weight"], kernel=1), bn_node("n:12", "bn3"), node("Add", ["n:13", "input"]),
    conv_node(["input", "p:br.weight", "p:br.bias"], pads=(1, 1, 1, 1)), node("Concat", ["n:14", "n:15"], axis=attribute_integer(1)),
    node("GlobalAveragePool", ["n:16"]), node("Flatten", ["n:17"], axis=attribute_integer(1)),
    node("Gemm", ["n:18", "p:fc.weight", "p:fc.bias"], transB=attribute_integer(1)),
])

# Operations of exported transformers and ConvNeXt/ShuffleNet/MNASNet (drawn after the networks so
# the earlier cases keep their values).
case("Transpose channels last", "Transpose", {"perm": attribute_integers([0, 2, 3, 1])}, [rounded(2, 3, 4, 5)], lambda x: x.permute(0, 2, 3, 1))
case("Transpose rank 5 channel shuffle", "Transpose", {"perm": attribute_integers([0, 2, 1, 3, 4])}, [rounded(2, 2, 3, 2, 2)],
     lambda x: x.transpose(1, 2))
case("Transpose reversed by default", "Transpose", {}, [rounded(2, 3, 4)], lambda x: x.permute(2, 1, 0))
case("ReduceMean last axis kept", "ReduceMean", {"axes": attribute_integers([-1]), "keepdims": attribute_integer(1)}, [rounded(2, 3, 5)],
     lambda x: x.mean(-1, keepdim=True))
case("ReduceMean spatial dropped", "ReduceMean", {"axes": attribute_integers([2, 3]), "keepdims": attribute_integer(0)}, [rounded(2, 3, 4, 5)],
     lambda x: x.mean((2, 3)))
case("ReduceMean axes 1 and 3 kept", "ReduceMean", {"axes": attribute_integers([1, 3]), "keepdims": attribute_integer(1)}, [rounded(2, 3, 4, 5)],
     lambda x: x.mean((1, 3), keepdim=True))
case("ReduceMean everything", "ReduceMean", {"keepdims": attribute_integer(1)}, [rounded(3, 4)], lambda x: x.mean().reshape(1, 1))
case("ReduceSum channels", "ReduceSum", {"axes": attribute_integers([1]), "keepdims": attribute_integer(1)}, [rounded(2, 3, 4)],
     lambda x: x.sum(1, keepdim=True))
case("Pow square", "Pow", {}, [rounded(2, 3, 4), torch.tensor([2.0])], torch.pow, roles=["weight", "constant"])
case("Pow broadcast exponents", "Pow", {}, [rounded(2, 3, 4).abs() + 0.5, rounded(4) * 0.5], torch.pow)
case("Sqrt", "Sqrt", {}, [rounded(3, 4, 5).abs() + 0.1], torch.sqrt)
case("Slice channels", "Slice", {"starts": attribute_integers([1]), "ends": attribute_integers([3]), "axes": attribute_integers([1])},
     [rounded(2, 4, 3, 3)], lambda x: x[:, 1:3])
case("Slice steps and negative bounds", "Slice", {"starts": attribute_integers([-1, 0]), "ends": attribute_integers([-9223372036854775807, 9223372036854775807]),
                                                  "axes": attribute_integers([2, -1]), "steps": attribute_integers([-2, 3])},
     [rounded(2, 3, 5, 7)], lambda x: x.flip(2)[:, :, ::2, ::3])
case("Gather class token", "Gather", {"axis": attribute_integer(1)}, [rounded(2, 5, 3), torch.tensor(0.0)],
     lambda x, i: x[:, 0], roles=["weight", "indices"])
case("Gather repeated rows", "Gather", {"axis": attribute_integer(0)}, [rounded(4, 3), torch.tensor([2.0, 0.0, 2.0, -1.0])],
     lambda x, i: x[[2, 0, 2, -1]], roles=["weight", "indices"])
case("BroadcastAlong batch", "BroadcastAlong", {"axis": attribute_integer(0)}, [rounded(1, 2, 3), rounded(4, 5, 3)],
     lambda token, reference: token.expand(4, 2, 3), roles=["weight", "constant"])

condition = (torch.rand(2, 3, 4) > 0.5).double()
case("Where with broadcast values", "Where", {}, [condition, rounded(2, 3, 4), rounded(4)],
     lambda c, x, y: torch.where(c.bool(), x, y), roles=["indices", "weight", "weight"])
case("Max with broadcast", "Max", {}, [rounded(2, 3, 4), rounded(3, 1)], torch.maximum)
tied = rounded(2, 5)
case("Max with ties split evenly", "Max", {}, [tied, torch.cat([tied[:, :2], rounded(2, 3)], 1)], torch.maximum)
case("Min with broadcast", "Min", {}, [rounded(2, 3, 4), rounded(4)], torch.minimum)
case("Expand along new and unit axes", "Expand", {"shape": attribute_integers([2, 3, 4])}, [rounded(3, 1)], lambda x: x.expand(2, 3, 4))
case("GatherND pairs with a repeat", "GatherND", {"batch_dims": attribute_integer(0)},
     [rounded(2, 3, 4), torch.tensor([[[0.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [-2.0, 0.0]]])],
     lambda x, i: torch.stack([torch.stack([x[0, 1], x[1, 2]]), torch.stack([x[1, 2], x[0, 0]])]), roles=["weight", "indices"])
case("GatherND within batches", "GatherND", {"batch_dims": attribute_integer(1)},
     [rounded(2, 3, 4), torch.tensor([[[2.0], [0.0]], [[1.0], [1.0]]])],
     lambda x, i: torch.stack([x[0, [2, 0]], x[1, [1, 1]]]), roles=["weight", "indices"])
case("Cast float to float", "Cast", {"to": attribute_integer(1)}, [rounded(3, 4)], lambda x: x * 1)

with open("operation_goldens.json", "w") as out:
    json.dump({"tolerance": 1e-4, "cases": cases, "networks": networks}, out)
print(len(cases), "cases,", len(networks), "networks")
