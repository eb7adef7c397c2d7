"""The reference side of sentence-encoder checks: a BERT-style sentence-transformers folder
encoded with Hugging Face `tokenizers` and a float64 NumPy forward of `BertModel` (evaluation
mode), then the folder's pooling and normalisation. Prints one JSON array of embeddings per input
line (or, with --onnx FILE, runs that ONNX file in onnxruntime on the same ids instead).

    python3 compare_sentence_encoder.py FOLDER SENTENCES.txt [--max-length 256] [--onnx MODEL.onnx]
"""
import argparse
import json
import math
import os
import struct

import numpy as np
from tokenizers import Tokenizer

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("sentences")
parser.add_argument("--max-length", type=int, default=256)
parser.add_argument("--onnx")
arguments = parser.parse_args()

with open(os.path.join(arguments.folder, "config.json")) as file:
    config = json.load(file)
tokenizer = Tokenizer.from_file(os.path.join(arguments.folder, "tokenizer.json"))
tokenizer.no_padding()
tokenizer.enable_truncation(arguments.max_length)
with open(arguments.sentences, encoding="utf-8") as file:
    sentences = [line.rstrip("\n") for line in file]


def safetensors(path):
    with open(path, "rb") as file:
        size = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(size))
        data = file.read()
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    return {name: np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], dtype=kinds[e["dtype"]]).reshape(e["shape"]).astype(np.float64)
            for name, e in header.items() if name != "__metadata__"}


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + config["layer_norm_eps"]) * weight + bias


def erf(x):
    return np.vectorize(math.erf)(x)


def bert(ids, mask, w):
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    size = hidden // heads
    length = ids.shape[1]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    bias = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        dense = lambda v, n: v @ w[p + n + ".weight"].T + w[p + n + ".bias"]
        split = lambda v: v.reshape(v.shape[0], length, heads, size).transpose(0, 2, 1, 3)
        q, k, v = (split(dense(x, "attention.self." + n)) for n in ["query", "key", "value"])
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        x = layer_norm(dense(context.transpose(0, 2, 1, 3).reshape(x.shape[0], length, hidden), "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        inner = dense(x, "intermediate.dense")
        x = layer_norm(dense(inner * 0.5 * (1 + erf(inner / math.sqrt(2))), "output.dense") + x,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x


rows = []
weights = None if arguments.onnx else safetensors(os.path.join(arguments.folder, "model.safetensors"))
session = None
if arguments.onnx:
    import onnxruntime
    session = onnxruntime.InferenceSession(arguments.onnx, providers=["CPUExecutionProvider"])
for sentence in sentences:
    encoding = tokenizer.encode(sentence)
    ids, mask = np.array([encoding.ids]), np.array([encoding.attention_mask], dtype=np.float64)
    if session is not None:
        feeds = {"input_ids": ids.astype(np.int64), "attention_mask": mask.astype(np.int64), "token_type_ids": np.zeros_like(ids, dtype=np.int64)}
        hidden = session.run(None, {i.name: feeds[i.name] for i in session.get_inputs()})[0].astype(np.float64)
    else:
        hidden = bert(ids, mask, weights)
    pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    rows.append(pooled[0].tolist())
print(json.dumps(rows))
