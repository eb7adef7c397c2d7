#!/usr/bin/python3
"""Writes the golden of one whole MobileNetV2 training step, from PyTorch autograd.

    /usr/bin/python3 make_mobilenet_step.py   (Debian python3-torch, python3-torchvision; writes here)

torchvision's MobileNetV2 at width 0.25 with 3 classes (the real architecture: inverted residual
blocks, depthwise convolutions, batch normalisation, ReLU6, the residual additions, the pool and
the classifier; dropout set to 0, since its masks cannot be matched), its weights drawn from a
seeded generator (batch normalisation's scales, shifts and running statistics too, so none is
trivial), exported to ONNX with every batch normalisation kept as a node:
  mobilenet_v2_step.onnx           the network,
  mobilenet_v2_step.input.f32      a batch of 4 images of 3 x 64 x 64 (raw little-endian float32),
  mobilenet_v2_step.gradients.f32  the gradient of the mean cross-entropy loss with respect to
                                   every parameter, in the order `mobilenet_v2_step.json` lists,
  mobilenet_v2_step.statistics.f32 every running mean and variance after the step (momentum 0.1,
                                   unbiased variance, as PyTorch updates them),
  mobilenet_v2_step.json           the labels, the loss, the logits, the names and shapes, and how
                                   far PyTorch's own float32 gradients are from the reference.
The reference runs in float64 (the exact answer a float32 implementation is measured against).
"""
import json
import os

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "mobilenet_v2_step"
torch.manual_seed(7)

model = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=3, dropout=0.0)
with torch.no_grad():
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.2, 0.2)
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
        elif isinstance(module, torch.nn.Linear):
            module.weight.normal_(0, 0.1)
            module.bias.uniform_(-0.1, 0.1)

model.eval()
path = os.path.join(HERE, NAME + ".onnx")
torch.onnx.export(model, torch.zeros(1, 3, 64, 64), path, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
                  training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)

images = torch.randn(4, 3, 64, 64)
labels = torch.tensor([0, 2, 1, 2])


def step(dtype):
    """One training-mode forward and backward pass of a copy of the network in `dtype`."""
    copy = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=3, dropout=0.0)
    copy.load_state_dict(model.state_dict())
    copy = copy.to(dtype).train()
    logits = copy(images.to(dtype))
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    gradients = {name: parameter.grad.detach() for name, parameter in copy.named_parameters()}
    statistics = {name: buffer.detach() for name, buffer in copy.named_buffers() if "running" in name}
    return float(loss), logits.detach(), gradients, statistics


loss, logits, gradients, statistics = step(torch.float64)
_, _, single, _ = step(torch.float32)
names = [name for name, _ in model.named_parameters()]
statistic_names = [name for name, _ in model.named_buffers() if "running" in name]
# PyTorch's own float32 error, per parameter: the largest difference over the largest magnitude
# (at least 0.01: the shifts of batch normalisations followed by a 1 x 1 convolution and another
# batch normalisation have a gradient of exactly 0, which float32 meets only to ~1e-6).
torch_error = max(float((single[name].double() - gradients[name]).abs().max() / gradients[name].abs().max().clamp(min=0.01))
                  for name in names)

images.numpy().astype("<f4").tofile(os.path.join(HERE, NAME + ".input.f32"))
np.concatenate([gradients[name].numpy().ravel() for name in names]).astype("<f4").tofile(os.path.join(HERE, NAME + ".gradients.f32"))
np.concatenate([statistics[name].numpy().ravel() for name in statistic_names]).astype("<f4").tofile(
    os.path.join(HERE, NAME + ".statistics.f32"))
with open(os.path.join(HERE, NAME + ".json"), "w") as out:
    json.dump({"torch": torch.__version__, "labels": labels.tolist(), "loss": loss, "logits": logits.numpy().ravel().tolist(),
               "parameters": [{"name": name, "shape": list(gradients[name].shape)} for name in names],
               "statistics": [{"name": name, "shape": list(statistics[name].shape)} for name in statistic_names],
               "torch_float32_error": torch_error}, out, indent=1)
print(f"loss {loss:.6f}; {len(names)} parameters, {sum(g.numel() for g in gradients.values())} values; "
      f"PyTorch float32 gradients within {torch_error:.2e} of float64")
