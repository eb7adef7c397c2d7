#!/usr/bin/python3
"""PyTorch 1.13 beside `embkit-bench elpv`: the same MobileNetV2 weights, images, split and recipe.

Reads the folders `elpv_prepare.py` writes (DATA/train, DATA/test, one subfolder per class) and
torchvision's MobileNetV2 ImageNet weights (DATA/mobilenet_v2.pth), replaces the classifier by a
new linear layer of the classes, and either
  --mode throughput: times `--steps` training steps of `--batch` images (after one warm-up step),
  --mode train: trains `--epochs` epochs and reports test accuracy and macro-F1,
printing one JSON object: images per second, seconds, accuracy, macro-F1, torch version.
Recipe options mirror `embkit image train`: --size (the whole image resized to size x size, as
EmbeddingKit's fitting does for square images), --trainable all|top N (top 1: the new layer
only), --optimizer adamw|adam|sgd, --lr, --base-rate-factor (the pre-trained layers' share of the
rate), --weight-decay, --schedule constant|cosine, --warmup, --flips (random horizontal and
vertical flips and 90-degree rotations), --batch-norm train|frozen, --seed, --threads.

Run: /usr/bin/python3 compare_torch_elpv.py DATA [options]  (Debian python3-torch, python3-torchvision, Pillow).
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def read_folder(folder, size):
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    images, labels = [], []
    for label, name in enumerate(classes):
        for file in sorted(os.listdir(os.path.join(folder, name))):
            image = Image.open(os.path.join(folder, name, file)).convert("RGB").resize((size, size), Image.BILINEAR)
            images.append(np.asarray(image, dtype=np.uint8).transpose(2, 0, 1))
            labels.append(label)
    return np.stack(images), np.array(labels), classes


def normalized(batch):
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (torch.from_numpy(batch).float() / 255 - mean) / std


def augmented(batch, generator):
    out = batch.copy()
    for index in range(len(out)):
        image = out[index]
        if generator.random() < 0.5:
            image = image[:, :, ::-1]
        if generator.random() < 0.5:
            image = image[:, ::-1, :]
        image = np.rot90(image, generator.randrange(4), axes=(1, 2))
        out[index] = np.ascontiguousarray(image)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--mode", default="train", choices=["train", "throughput"])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--trainable", default="all")
    parser.add_argument("--optimizer", default="adamw")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--base-rate-factor", type=float, default=1.0)
    parser.add_argument("--weight-decay", type=float, default=None)
    parser.add_argument("--schedule", default="constant")
    parser.add_argument("--warmup", type=float, default=0.05)
    parser.add_argument("--flips", action="store_true")
    parser.add_argument("--batch-norm", default="train")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    options = parser.parse_args()

    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    generator = random.Random(options.seed)
    train_images, train_labels, classes = read_folder(os.path.join(options.data, "train"), options.size)
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(torch.load(os.path.join(options.data, "mobilenet_v2.pth"), map_location="cpu"))
    model.classifier[1] = torch.nn.Linear(1280, len(classes))
    head = list(model.classifier[1].parameters())
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    if options.trainable == "all":
        trained = layers
    else:
        trained = layers[-int(options.trainable.split()[1]):]
    trained_parameters = {id(p) for m in trained for p in m.parameters()}
    # A convolution's batch normalisation trains with it.
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            parent_conv = None
            for other_name, other in model.named_modules():
                if other_name.rsplit(".", 1)[0] == name.rsplit(".", 1)[0] and isinstance(other, torch.nn.Conv2d):
                    parent_conv = other
            if parent_conv is not None and id(parent_conv.weight) in trained_parameters:
                trained_parameters.update(id(p) for p in module.parameters())
    for parameter in model.parameters():
        parameter.requires_grad = id(parameter) in trained_parameters
    base = [p for p in model.parameters() if p.requires_grad and all(p is not h for h in head)]
    groups = [{"params": head, "lr": options.lr}, {"params": base, "lr": options.lr * options.base_rate_factor}]
    decay = options.weight_decay
    if options.optimizer == "adamw":
        optimizer = torch.optim.AdamW(groups, lr=options.lr, weight_decay=0.01 if decay is None else decay)
    elif options.optimizer == "adam":
        optimizer = torch.optim.Adam(groups, lr=options.lr, weight_decay=decay or 0)
    else:
        optimizer = torch.optim.SGD(groups, lr=options.lr, momentum=0.9, weight_decay=decay or 0)
    steps_per_epoch = len(train_images) // options.batch
    total = steps_per_epoch * options.epochs
    if options.schedule == "cosine":
        warm = max(1, int(options.warmup * total))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: (step + 1) / warm if step < warm else 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))
    else:
        scheduler = None
    loss_function = torch.nn.CrossEntropyLoss()

    def set_modes():
        model.train()
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.BatchNorm2d) and (options.batch_norm == "frozen" or not module.weight.requires_grad):
                module.eval()

    def step(indices):
        batch = train_images[indices]
        if options.flips:
            batch = augmented(batch, generator)
        optimizer.zero_grad()
        loss = loss_function(model(normalized(batch)), torch.from_numpy(train_labels[indices]))
        loss.backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        return float(loss)

    set_modes()
    order = list(range(len(train_images)))
    if options.mode == "throughput":
        generator.shuffle(order)
        step(order[:options.batch])
        start = time.time()
        for index in range(options.steps):
            step(order[(index % steps_per_epoch) * options.batch:((index % steps_per_epoch) + 1) * options.batch])
        seconds = time.time() - start
        print(json.dumps({"images_per_second": options.steps * options.batch / seconds, "seconds": seconds, "torch": torch.__version__}))
        return
    start = time.time()
    for epoch in range(options.epochs):
        generator.shuffle(order)
        losses = [step(order[i * options.batch:(i + 1) * options.batch]) for i in range(steps_per_epoch)]
        print(f"epoch {epoch + 1}: loss {sum(losses) / len(losses):.4f} ({time.time() - start:.0f} s)", flush=True, file=os.sys.stderr)
    seconds = time.time() - start
    test_images, test_labels, _ = read_folder(os.path.join(options.data, "test"), options.size)
    model.eval()
    predictions = []
    with torch.no_grad():
        for start_index in range(0, len(test_images), 64):
            predictions += model(normalized(test_images[start_index:start_index + 64])).argmax(1).tolist()
    predictions = np.array(predictions)
    accuracy = float((predictions == test_labels).mean())
    f1s = []
    for label in range(len(classes)):
        tp = float(((predictions == label) & (test_labels == label)).sum())
        precision = tp / max(1, (predictions == label).sum())
        recall = tp / max(1, (test_labels == label).sum())
        f1s.append(0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))
    print(json.dumps({"accuracy": accuracy, "macro_f1": sum(f1s) / len(f1s), "train_seconds": seconds,
                      "images_per_second": steps_per_epoch * options.batch * options.epochs / seconds, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
