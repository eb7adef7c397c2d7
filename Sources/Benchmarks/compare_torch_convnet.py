"""PyTorch's training and inference throughput for EmbeddingKit's small ConvNet (the peer of
`embkit-bench image`): the same layers, batch size, optimizer and thread count, on the same
Fashion-MNIST images. Run with Debian's python3-torch (CPU):

    /usr/bin/python3 compare_torch_convnet.py IMAGES.idx3-ubyte.gz LABELS.idx1-ubyte.gz --count 10000 --threads 2

Prints one JSON object: training and inference images per second (medians of --repeats runs)
and peak RSS in MiB.
"""
import argparse
import gzip
import json
import resource
import statistics
import time

import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as file:
        data = file.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def network(classes):
    def block(inputs, outputs):
        return [nn.Conv2d(inputs, outputs, 3, padding=1), nn.BatchNorm2d(outputs), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(), nn.Dropout(0.25), nn.Linear(3136, 128), nn.ReLU(),
                         nn.Dropout(0.25), nn.Linear(128, classes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("images")
    parser.add_argument("labels")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(1)
    images = read_idx(arguments.images)[:arguments.count].float() / 255
    targets = read_idx(arguments.labels)[:arguments.count].long() % 5
    inputs = ((images - images.mean()) / images.std()).unsqueeze(1)
    model = network(5)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()

    def train_epoch():
        model.train()
        order = torch.randperm(len(inputs))
        for start in range(0, len(inputs), arguments.batch):
            batch = order[start:start + arguments.batch]
            optimizer.zero_grad()
            loss = loss_function(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()

    def infer():
        model.eval()
        with torch.no_grad():
            for start in range(0, len(inputs), 256):
                model(inputs[start:start + 256])

    train_epoch()  # warm-up
    training, inference = [], []
    for _ in range(arguments.repeats):
        start = time.perf_counter()
        train_epoch()
        training.append(len(inputs) / (time.perf_counter() - start))
        start = time.perf_counter()
        infer()
        inference.append(len(inputs) / (time.perf_counter() - start))
    print(json.dumps({"train_images_per_second": statistics.median(training),
                      "inference_images_per_second": statistics.median(inference),
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "torch": torch.__version__, "threads": arguments.threads, "batch": arguments.batch}))


if __name__ == "__main__":
    main()
