"""The ONNX model zoo of `embkit-bench onnx-zoo`: torchvision classifiers exported as a user would,
and onnxruntime's outputs for them on a few photos. Two steps, because Debian's PyTorch and PyPI's
onnxruntime do not share one Python:

    /usr/bin/python3 onnx_zoo.py export DIR            # python3-torch + python3-torchvision (0.14)
    python3 onnx_zoo.py reference DIR PHOTO...         # PyPI onnxruntime, numpy, Pillow

`export` writes DIR/NAME.onnx for each architecture with seeded random weights (the architectures
matter here, not the weights; ViT's zero-initialised head drawn too): `torch.onnx.export` at its default opset, batch dimension dynamic,
299 × 299 for InceptionV3 and 224 × 224 for the others. `reference` prepares each photo as
torchvision's ImageNet recipe does, the resize scaled with the input (shorter side 256 for 224,
342 for 299; Pillow bilinear; centre crop; ImageNet mean/std), writes that input as
DIR/NAME.PHOTO.f32 (raw float32, 1 × 3 × H × W) and onnxruntime's logits into DIR/reference.json:
{"models": {NAME: {"input_size": S, "photos": {PHOTO: {"input": FILE, "logits": [...]}}}}}.
"""
import json
import os
import sys

ARCHITECTURES = [
    "alexnet", "vgg16", "vgg19", "inception_v3", "googlenet", "resnet18", "resnet50", "resnext50_32x4d",
    "densenet121", "squeezenet1_1", "shufflenet_v2_x1_0", "mnasnet1_0", "mobilenet_v2", "mobilenet_v3_large",
    "efficientnet_b0", "regnet_y_400mf", "convnext_tiny", "vit_b_16",
]


def input_size(name):
    return 299 if name == "inception_v3" else 224


def export(folder):
    import torch
    import torchvision

    os.makedirs(folder, exist_ok=True)
    for name in ARCHITECTURES:
        path = os.path.join(folder, name + ".onnx")
        if os.path.exists(path):
            continue
        torch.manual_seed(0)
        extra = {"init_weights": True} if name in ("inception_v3", "googlenet") else {}
        model = getattr(torchvision.models, name)(weights=None, **extra).eval()
        if name == "vit_b_16":  # torchvision starts its head at zero: every logit would be 0
            torch.nn.init.normal_(model.heads.head.weight, std=0.02)
        size = input_size(name)
        example = torch.randn(1, 3, size, size)
        torch.onnx.export(model, example, path, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB", file=sys.stderr)


def prepared(photo, size):
    import numpy as np
    from PIL import Image

    image = Image.open(photo).convert("RGB")
    side = max(size, round(256 * size / 224))
    width, height = image.size
    scaled = (side, int(side * height / width)) if width <= height else (int(side * width / height), side)
    image = image.resize(scaled, Image.BILINEAR)
    left, top = round((scaled[0] - size) / 2), round((scaled[1] - size) / 2)
    pixels = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.float32)
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    deviation = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return ((pixels / np.float32(255) - mean) / deviation).transpose(2, 0, 1)[None].astype(np.float32)


def reference(folder, photos):
    import onnxruntime

    models = {}
    for name in ARCHITECTURES:
        path = os.path.join(folder, name + ".onnx")
        if not os.path.exists(path):
            continue
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        size = input_size(name)
        entries = {}
        for photo in photos:
            x = prepared(photo, size)
            stem = os.path.splitext(os.path.basename(photo))[0]
            input_file = f"{name}.{stem}.f32"
            x.tofile(os.path.join(folder, input_file))
            logits = session.run(None, {session.get_inputs()[0].name: x})[0][0]
            entries[os.path.basename(photo)] = {"input": input_file, "logits": [float(v) for v in logits]}
        models[name] = {"input_size": size, "photos": entries}
        print(f"{name}: {len(entries)} photos", file=sys.stderr)
    with open(os.path.join(folder, "reference.json"), "w") as file:
        json.dump({"onnxruntime": onnxruntime.__version__, "models": models}, file)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "export":
        export(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "reference":
        reference(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
