"""onnxruntime's top-5 for photos, with torchvision's ImageNet preprocessing done by Pillow, for
checking `embkit image predict` on photos the project has not seen:

    python3 onnxruntime_photos.py MODEL.onnx CLASSES.txt [--tflite] PHOTO... > reference.jsonl
    embkit image predict --model MODEL.onnx -k 5 --json PHOTO... > ours.jsonl

One JSON line per photo, as `embkit image predict --json` prints them: {"path", "labels": [{"label",
"probability"}]}. Preprocessing: RGB, shorter side to 256 (longer side truncated) with Pillow's
bilinear resize, centre crop 224 (offsets rounded half to even), then (x/255 − mean)/std, or
(x − 127)/128 with --tflite.
"""
import json
import sys

import numpy as np
import onnxruntime
from PIL import Image

arguments = sys.argv[1:]
tflite = "--tflite" in arguments
arguments = [a for a in arguments if a != "--tflite"]
model, classes, photos = arguments[0], open(arguments[1]).read().split("\n"), arguments[2:]
session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
for path in photos:
    image = Image.open(path).convert("RGB")
    width, height = image.size
    if width <= height:
        size = (256, int(256 * height / width))
    else:
        size = (int(256 * width / height), 256)
    image = image.resize(size, Image.BILINEAR)
    left, top = round((size[0] - 224) / 2), round((size[1] - 224) / 2)
    pixels = np.asarray(image.crop((left, top, left + 224, top + 224)), dtype=np.float32)
    if tflite:
        x = (pixels - 127) / 128
    else:
        x = (pixels / np.float32(255) - np.array([0.485, 0.456, 0.406], dtype=np.float32)) / np.array([0.229, 0.224, 0.225], dtype=np.float32)
    logits = session.run(None, {name: x.transpose(2, 0, 1)[None].astype(np.float32)})[0][0].astype(np.float64)
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    top = np.argsort(-probabilities)[:5]
    print(json.dumps({"path": path, "labels": [{"label": classes[i], "probability": float(probabilities[i])} for i in top]}))
