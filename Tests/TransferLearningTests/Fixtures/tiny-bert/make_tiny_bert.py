#!/usr/bin/python3
"""Writes a tiny random BERT in the layout sentence-transformers downloads (`config.json`,
`model.safetensors`, `vocab.txt`, `tokenizer_config.json`, `modules.json`, `1_Pooling/config.json`)
and `goldens.json`: PyTorch's forward of it — Hugging Face `BertModel` in evaluation mode, written
out here in plain torch — on two padded batches of ids (last hidden state, masked mean, L2
normalised), and the autograd gradients of sum(normalised · R) for a seeded R.

Sizes: vocabulary 1,000 (the first 1,000 entries of all-MiniLM-L6-v2's vocab.txt, so its
tokenizer files work), hidden 32, 2 layers of 4 heads, feed-forward 64, 64 positions. The weights
are seeded random (float32), the maths in float64.

Run: /usr/bin/python3 make_tiny_bert.py  (Debian python3-torch 1.13; reads ../../../TextFeaturesTests/Fixtures/wordpiece/vocab.txt)
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(27)
VOCAB, HIDDEN, LAYERS, HEADS, FFN, POSITIONS, TYPES, EPS = 1000, 32, 2, 4, 64, 64, 2, 1e-12


def rounded(*shape, scale=0.2, shift=0.0):
    return (torch.randn(*shape) * scale + shift).float().double()


weights = {
    "embeddings.word_embeddings.weight": rounded(VOCAB, HIDDEN, scale=0.5),
    "embeddings.position_embeddings.weight": rounded(POSITIONS, HIDDEN),
    "embeddings.token_type_embeddings.weight": rounded(TYPES, HIDDEN),
    "embeddings.LayerNorm.weight": rounded(HIDDEN, scale=0.1, shift=1.0),
    "embeddings.LayerNorm.bias": rounded(HIDDEN, scale=0.1),
}
for layer in range(LAYERS):
    p = f"encoder.layer.{layer}."
    for name, (rows, columns) in {"attention.self.query": (HIDDEN, HIDDEN), "attention.self.key": (HIDDEN, HIDDEN),
                                  "attention.self.value": (HIDDEN, HIDDEN), "attention.output.dense": (HIDDEN, HIDDEN),
                                  "intermediate.dense": (FFN, HIDDEN), "output.dense": (HIDDEN, FFN)}.items():
        weights[p + name + ".weight"] = rounded(rows, columns, scale=1 / math.sqrt(columns))
        weights[p + name + ".bias"] = rounded(rows, scale=0.05)
    for name in ["attention.output.LayerNorm", "output.LayerNorm"]:
        weights[p + name + ".weight"] = rounded(HIDDEN, scale=0.1, shift=1.0)
        weights[p + name + ".bias"] = rounded(HIDDEN, scale=0.1)


def encode(ids, mask, w):
    """BertModel.forward in evaluation mode, then mean pooling and L2 normalisation."""
    length = ids.shape[1]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = torch.nn.functional.layer_norm(x, (HIDDEN,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], EPS)
    bias = (1.0 - mask.double())[:, None, None, :] * torch.finfo(torch.float32).min
    head = HIDDEN // HEADS
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        dense = lambda v, n: v @ w[p + n + ".weight"].T + w[p + n + ".bias"]
        split = lambda v: v.reshape(v.shape[0], length, HEADS, head).permute(0, 2, 1, 3)
        q, k, v = (split(dense(x, "attention.self." + n)) for n in ["query", "key", "value"])
        scores = q @ k.transpose(-1, -2) / math.sqrt(head) + bias
        context = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(x.shape[0], length, HIDDEN)
        x = torch.nn.functional.layer_norm(dense(context, "attention.output.dense") + x, (HIDDEN,),
                                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], EPS)
        inner = torch.nn.functional.gelu(dense(x, "intermediate.dense"))
        x = torch.nn.functional.layer_norm(dense(inner, "output.dense") + x, (HIDDEN,),
                                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], EPS)
    m = mask.double()[:, :, None]
    pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return x, pooled, torch.nn.functional.normalize(pooled, p=2, dim=1)


def values(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


batches = []
for (rows, length, lengths) in [(3, 7, [7, 4, 1]), (2, 5, [5, 3])]:
    ids = torch.randint(0, VOCAB, (rows, length))
    mask = torch.tensor([[1] * n + [0] * (length - n) for n in lengths])
    ids = ids * mask  # padding is [PAD] (id 0), as a tokenizer pads
    hidden, pooled, normalized = encode(ids, mask, weights)
    batches.append({"ids": ids.tolist(), "mask": mask.tolist(), "hidden": values(hidden), "pooled": values(pooled),
                    "normalized": values(normalized)})

leaves = {name: t.clone().requires_grad_(True) for name, t in weights.items()}
ids, mask = torch.tensor(batches[0]["ids"]), torch.tensor(batches[0]["mask"])
_, _, normalized = encode(ids, mask, leaves)
upstream = rounded(*normalized.shape, scale=1.0)
(normalized * upstream).sum().backward()
checked = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
           "embeddings.LayerNorm.weight", "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.bias",
           "encoder.layer.0.attention.self.key.bias",
           "encoder.layer.1.attention.self.value.weight", "encoder.layer.1.intermediate.dense.weight", "encoder.layer.1.output.LayerNorm.bias"]
gradients = {name: values(leaves[name].grad) for name in checked}

# model.safetensors, as transformers writes it (plus the int64 position_ids buffer old checkpoints keep).
tensors = {name: t.float() for name, t in weights.items()}
header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for name in sorted(tensors) + ["embeddings.position_ids"]:
    if name == "embeddings.position_ids":
        blob, dtype, shape = struct.pack(f"<{POSITIONS}q", *range(POSITIONS)), "I64", [1, POSITIONS]
    else:
        blob, dtype, shape = struct.pack(f"<{tensors[name].numel()}f", *tensors[name].reshape(-1).tolist()), "F32", list(tensors[name].shape)
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(HERE, "model.safetensors"), "wb") as out:
    out.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))

config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": VOCAB, "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
          "num_attention_heads": HEADS, "intermediate_size": FFN, "hidden_act": "gelu", "max_position_embeddings": POSITIONS,
          "type_vocab_size": TYPES, "layer_norm_eps": EPS, "position_embedding_type": "absolute", "pad_token_id": 0}
with open(os.path.join(HERE, "config.json"), "w") as out:
    json.dump(config, out, indent=2)
source = os.path.join(HERE, "..", "..", "..", "TextFeaturesTests", "Fixtures", "wordpiece")
with open(os.path.join(source, "vocab.txt"), encoding="utf-8") as vocabulary, open(os.path.join(HERE, "vocab.txt"), "w", encoding="utf-8") as out:
    out.write("".join(vocabulary.readlines()[:VOCAB]))
with open(os.path.join(source, "tokenizer_config.json")) as config_in, open(os.path.join(HERE, "tokenizer_config.json"), "w") as out:
    out.write(config_in.read())
with open(os.path.join(HERE, "modules.json"), "w") as out:
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
               {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], out, indent=2)
os.makedirs(os.path.join(HERE, "1_Pooling"), exist_ok=True)
with open(os.path.join(HERE, "1_Pooling", "config.json"), "w") as out:
    json.dump({"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, out, indent=2)
with open(os.path.join(HERE, "goldens.json"), "w") as out:
    json.dump({"generator": f"torch {torch.__version__}", "batches": batches, "upstream": values(upstream), "gradients": gradients}, out)
print("tiny BERT:", sum(t.numel() for t in tensors.values()), "weights")
