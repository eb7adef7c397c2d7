#!/usr/bin/python3
"""Writes layer_goldens.json: PyTorch's forward and backward results for the ConvNet layers of
NeuralNetworks, on seeded random inputs, parameters and upstream gradients.

Run: /usr/bin/python3 make_layer_goldens.py  (Debian python3-torch 1.13, CPU, float64 math then stored
as float32 values; the inputs themselves are float32-representable).
"""
import json

import torch

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)


def values(tensor):
    return [float(v) for v in tensor.detach().reshape(-1).tolist()]


def rounded(shape):
    # float32-representable inputs, so Swift's float32 copy is exact
    return torch.randn(*shape).float().double()


def run(module, shape, name, extra=None):
    x = rounded(shape).requires_grad_(True)
    for parameter in module.parameters():
        with torch.no_grad():
            parameter.copy_(rounded(parameter.shape))
    y = module(x)
    upstream = rounded(y.shape)
    y.backward(upstream)
    case = {"name": name, "input_shape": list(shape), "input": values(x), "output_shape": list(y.shape),
            "output": values(y), "upstream": values(upstream), "input_gradient": values(x.grad),
            "parameters": {n: values(p) for n, p in module.named_parameters()},
            "parameter_gradients": {n: values(p.grad) for n, p in module.named_parameters()}}
    case.update(extra or {})
    return case


nn = torch.nn
cases = []


def conv(name, shape, **kw):
    module = nn.Conv2d(**kw)
    k = module.kernel_size
    cases.append(run(module, shape, name, {"layer": "conv", "in": kw["in_channels"], "out": kw["out_channels"],
                                          "kernel": list(k), "stride": list(module.stride),
                                          "padding": list(module.padding), "dilation": list(module.dilation),
                                          "groups": module.groups}))


conv("conv 3x3 pad 1", (2, 3, 7, 6), in_channels=3, out_channels=4, kernel_size=3, padding=1)
conv("conv 3x3 stride 2 pad 1 groups 2", (2, 4, 9, 8), in_channels=4, out_channels=6, kernel_size=3, stride=2,
     padding=1, groups=2)
conv("depthwise 3x3 stride 2 pad 1", (3, 4, 8, 8), in_channels=4, out_channels=4, kernel_size=3, stride=2, padding=1,
     groups=4)
conv("conv 3x3 dilation 2 pad 2", (2, 2, 9, 7), in_channels=2, out_channels=3, kernel_size=3, padding=2, dilation=2)
conv("pointwise 1x1", (2, 5, 4, 3), in_channels=5, out_channels=3, kernel_size=1)
conv("conv 2x3 stride (2,1) pad (1,0)", (2, 2, 7, 6), in_channels=2, out_channels=3, kernel_size=(2, 3), stride=(2, 1),
     padding=(1, 0))


def pool(name, module, shape, kind, include_pad=True):
    k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
    s = module.stride if isinstance(module.stride, int) else module.stride[0]
    p = module.padding if isinstance(module.padding, int) else module.padding[0]
    cases.append(run(module, shape, name, {"layer": kind, "kernel": k, "stride": s, "padding": p,
                                          "count_include_pad": include_pad}))


pool("max 2x2", nn.MaxPool2d(2), (2, 3, 6, 7), "maxpool")
pool("max 3x3 stride 2 pad 1", nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 8), "maxpool")
pool("average 2x2", nn.AvgPool2d(2), (2, 3, 6, 6), "avgpool")
pool("average 3x3 stride 2 pad 1 with padding", nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 8), "avgpool")
pool("average 3x3 stride 2 pad 1 without padding", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
     (2, 2, 7, 8), "avgpool", include_pad=False)

# Batch normalisation in training mode, then the running statistics and an inference pass.
bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.running_mean.copy_(rounded((3,)))
    bn.running_var.copy_(rounded((3,)).abs() + 0.5)
start_mean, start_var = values(bn.running_mean), values(bn.running_var)
case = run(bn, (4, 3, 5, 4), "batch norm training", {"layer": "batchnorm", "running_mean_before": start_mean,
                                                     "running_var_before": start_var})
case["running_mean_after"] = values(bn.running_mean)
case["running_var_after"] = values(bn.running_var)
bn.eval()
case["inference_output"] = values(bn(torch.tensor(case["input"]).reshape(4, 3, 5, 4)))
cases.append(case)

relu6 = nn.ReLU6()
cases.append(run(relu6, (2, 3, 4, 4), "relu6", {"layer": "relu6"}))
x = rounded((2, 3, 4, 4)) * 4
cases[-1]["input"] = values(x)  # spread values past 6
xg = x.clone().requires_grad_(True)
y = relu6(xg)
y.backward(torch.tensor(cases[-1]["upstream"]).reshape(y.shape))
cases[-1]["output"], cases[-1]["input_gradient"] = values(y), values(xg.grad)

# A small ConvNet end to end (training mode batch norm, no dropout).
net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(4, 6, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6 * 2 * 2, 5))
cases.append(run(net, (3, 1, 12, 12), "network", {"layer": "network"}))

with open("layer_goldens.json", "w") as out:
    json.dump({"torch": torch.__version__, "cases": cases}, out)
print(f"{len(cases)} cases")
