"""PyTorch's fine-tuning of a BERT-style sentence encoder as a text classifier: the peer script of
`embkit train --encoder FOLDER --strategy fine-tune` for benchmarks (speed, peak memory, accuracy),
not a dependency of EmbeddingKit. It runs the same recipe in plain PyTorch 1.13 on the CPU, with no
`transformers`: a BertModel written here in torch, its weights read by Hugging Face's names from the
folder's `model.safetensors`, ids from Hugging Face `tokenizers` (`tokenizer.json`).

The recipe: the sentence embedding is the mean of the last hidden state over the attention mask,
L2-normalised; then Dropout(0.1) and a new Linear(hidden, classes) (Glorot uniform, zero bias),
cross-entropy. AdamW (0.9, 0.999, eps 1e-8, weight decay 0.01 on parameters of rank >= 2), the new
layer at 1e-3 and every encoder parameter at 3e-5 (0.03 of it); the rate warms up linearly over
the first 10% of all planned steps, then decays linearly to 0, per step, by EmbeddingKit's formula
(its first step already runs at peak / warm-up steps, never above the peak, where transformers'
scheduler runs it at 0); gradients clipped to global norm 1; batches of 32, each epoch's seeded
shuffle cut into runs of 50 batches sorted by token count (Hugging Face's group_by_length), a last batch of one left out.
The encoder's dropout (0.1, as BertModel trains) is on unless --no-encoder-dropout; EmbeddingKit's
encoder graph has no dropout nodes, so that flag is the like-for-like comparison of its maths.

Texts are truncated to --max-length tokens (default 128). EmbeddingKit's fine-tuning batches
truncate at the folder's sentence_bert_config.json max_seq_length (256 for all-MiniLM-L6-v2; 354 of
the 11,112 Rotten Tomatoes training reviews are longer than 128 tokens): --max-length 256 matches it
token for token. EmbeddingKit picks 2 epochs for that corpus (more for small ones): pass --epochs.

Run with Debian's python3-torch (CPU), libopenblas0-pthread (without it python3-torch falls back to
the reference BLAS, several times slower) and `pip install --break-system-packages tokenizers`:

    /usr/bin/python3 Sources/Benchmarks/compare_torch_finetune.py --encoder FOLDER \\
        --train Corpora/rotten-tomatoes/train.txt --test Corpora/rotten-tomatoes/test.txt --epochs 2 --threads 2

Per epoch it prints the epoch, mean loss, seconds and training sentences per second to stderr;
at the end the test accuracy, macro-F1 (over the training labels), training seconds, training
sentences per second and peak RSS in MiB (or, with --json, one JSON object of them).
"""
import argparse
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

BATCH_SIZE = 32
BATCHES_PER_RUN = 50
HEAD_RATE = 1e-3
ENCODER_RATE_FACTOR = 0.03
WEIGHT_DECAY = 0.01
WARMUP = 0.1
CLIP_NORM = 1.0


# ---------------------------------------------------------------------------------------------
# Weights and model

def read_safetensors(path):
    """The tensors of a safetensors file by name (float32), without a leading `bert.`; integer
    buffers (`embeddings.position_ids`) are left out."""
    kinds = {"F32": np.float32, "F16": np.float16, "F64": np.float64}
    with open(path, "rb") as file:
        size = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(size))
        data = file.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] not in kinds:
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data, dtype=kinds[entry["dtype"]], count=(end - start) // np.dtype(kinds[entry["dtype"]]).itemsize,
                              offset=start).reshape(entry["shape"])
        key = name[len("bert."):] if name.startswith("bert.") else name
        tensors[key] = torch.from_numpy(array.astype(np.float32, copy=True))
    return tensors


class Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config.get("type_vocab_size", 2), hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, ids):
        length = ids.shape[1]
        x = self.word_embeddings(ids) + self.position_embeddings.weight[:length] + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        hidden = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.head_size = hidden // self.heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(config["attention_probs_dropout_prob"])

    def forward(self, x, mask_scores):
        batch, length, hidden = x.shape

        def split(v):
            return v.view(batch, length, self.heads, self.head_size).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_size) + mask_scores
        probabilities = self.dropout(torch.softmax(scores, dim=-1))
        return (probabilities @ v).permute(0, 2, 1, 3).reshape(batch, length, hidden)


class DenseResidual(nn.Module):
    """dense + dropout, added to the residual, layer-normalised (BertSelfOutput and BertOutput)."""

    def __init__(self, inputs, config):
        super().__init__()
        self.dense = nn.Linear(inputs, config["hidden_size"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        setattr(self, "self", SelfAttention(config))  # Hugging Face's name: attention.self.query …
        self.output = DenseResidual(config["hidden_size"], config)

    def forward(self, x, mask_scores):
        return self.output(getattr(self, "self")(x, mask_scores), x)


class Intermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["intermediate_size"])
        activation = config.get("hidden_act", "gelu")
        if activation == "gelu":
            self.activation = lambda v: F.gelu(v)  # exact (erf)
        elif activation == "relu":
            self.activation = F.relu
        else:  # gelu_new, gelu_pytorch_tanh
            self.activation = lambda v: F.gelu(v, approximate="tanh")

    def forward(self, x):
        return self.activation(self.dense(x))


class Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = DenseResidual(config["intermediate_size"], config)

    def forward(self, x, mask_scores):
        x = self.attention(x, mask_scores)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([Layer(config) for _ in range(config["num_hidden_layers"])])

    def forward(self, x, mask_scores):
        for layer in self.layer:
            x = layer(x, mask_scores)
        return x


class BertModel(nn.Module):
    """Hugging Face's BertModel (absolute positions, every token of type 0) without the pooler;
    its parameters have Hugging Face's names."""

    def __init__(self, config):
        super().__init__()
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config)

    def forward(self, ids, mask):
        mask_scores = (1.0 - mask.to(torch.float32))[:, None, None, :] * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(ids), mask_scores)


class SentenceClassifier(nn.Module):
    """BertModel, masked mean pooling, L2 normalisation; Dropout(0.1) and a new dense layer."""

    def __init__(self, config, classes):
        super().__init__()
        self.bert = BertModel(config)
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(config["hidden_size"], classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def embed(self, ids, mask):
        hidden = self.bert(ids, mask)
        weights = mask.to(hidden.dtype)[:, :, None]
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)

    def forward(self, ids, mask):
        return self.classifier(self.dropout(self.embed(ids, mask)))


def load_encoder(folder, classes):
    with open(os.path.join(folder, "config.json")) as file:
        config = json.load(file)
    pooling_path = os.path.join(folder, "1_Pooling", "config.json")
    if os.path.exists(pooling_path):
        with open(pooling_path) as file:
            pooling = json.load(file)
        if not pooling.get("pooling_mode_mean_tokens", False):
            print(f"warning: {pooling_path} does not ask for mean pooling; this script pools by the mean all the same", file=sys.stderr)
    model = SentenceClassifier(config, classes)
    weights = {"bert." + name: tensor for name, tensor in read_safetensors(os.path.join(folder, "model.safetensors")).items()}
    wanted = {name for name in model.state_dict() if name.startswith("bert.")}
    missing = sorted(wanted - weights.keys())
    if missing:
        raise SystemExit(f"model.safetensors lacks {len(missing)} tensors, e.g. {missing[:3]}")
    model.load_state_dict({name: weights[name] for name in wanted}, strict=False)
    return model, config


def set_encoder_dropout(model, probability):
    for module in model.bert.modules():
        if isinstance(module, nn.Dropout):
            module.p = probability


# ---------------------------------------------------------------------------------------------
# Data

def read_corpus(path, limit):
    """fastText lines `__label__NAME text`: the first label and the text after the labels."""
    texts, labels = [], []
    with open(path, encoding="utf-8", errors="replace") as file:
        for line in file:
            words = line.rstrip("\n").split(" ")
            names = [w for w in words if w.startswith("__label__")]
            if not names:
                continue
            text = " ".join(w for w in words if not w.startswith("__label__")).strip()
            texts.append(text)
            labels.append(names[0][len("__label__"):])
            if limit is not None and len(texts) >= limit:
                break
    return texts, labels


def tokenize(tokenizer, texts):
    return [encoding.ids for encoding in tokenizer.encode_batch(texts)]


def pad(sequences):
    length = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), length, dtype=torch.long)
    mask = torch.zeros(len(sequences), length, dtype=torch.long)
    for row, s in enumerate(sequences):
        ids[row, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[row, :len(s)] = 1
    return ids, mask


def epoch_batches(encoded, generator):
    """The shuffled order cut into runs of 50 batches, each sorted by token count (longest first,
    ties by the larger index, as EmbeddingKit sorts), cut into batches; a batch of one is left out
    (unless the corpus is one document)."""
    order = torch.randperm(len(encoded), generator=generator).tolist()
    run_size = BATCH_SIZE * BATCHES_PER_RUN
    batches = []
    for start in range(0, len(order), run_size):
        run = sorted(order[start:start + run_size], key=lambda i: (len(encoded[i]), i), reverse=True)
        batches += [run[i:i + BATCH_SIZE] for i in range(0, len(run), BATCH_SIZE)]
    return [b for b in batches if len(b) > 1 or len(order) == 1]


def rate_factor(done, total):
    """EmbeddingKit's warm-up-linear schedule (LearningRateSchedule.warmupLinear(0.1)) at step `done`."""
    progress = done / max(1, total)
    if progress < WARMUP:
        return min(1.0, (progress + 1 / max(1, total)) / WARMUP)
    rest = min(1.0, (progress - WARMUP) / max(1e-6, 1 - WARMUP))
    return max(0.0, 1 - rest)


# ---------------------------------------------------------------------------------------------
# Training and testing

def make_optimizer(model):
    head = list(model.classifier.parameters())
    encoder = list(model.bert.parameters())

    def groups(parameters, rate):
        return [{"params": [p for p in parameters if p.dim() >= 2], "lr": rate, "weight_decay": WEIGHT_DECAY, "base_lr": rate},
                {"params": [p for p in parameters if p.dim() < 2], "lr": rate, "weight_decay": 0.0, "base_lr": rate}]

    return torch.optim.AdamW(groups(head, HEAD_RATE) + groups(encoder, HEAD_RATE * ENCODER_RATE_FACTOR),
                             betas=(0.9, 0.999), eps=1e-8)


def train(model, encoded, classes, epochs, seed, encoder_dropout):
    optimizer = make_optimizer(model)
    generator = torch.Generator().manual_seed(seed)
    count = len(encoded)
    steps_per_epoch = count // BATCH_SIZE + (1 if count % BATCH_SIZE > 1 or count < BATCH_SIZE else 0)
    total_steps = steps_per_epoch * epochs
    parameters = [p for p in model.parameters() if p.requires_grad]
    labels = torch.tensor(classes, dtype=torch.long)
    step, seconds = 0, 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        if not encoder_dropout:
            set_encoder_dropout(model, 0.0)
        started = time.perf_counter()
        total, seen = 0.0, 0
        for batch in epoch_batches(encoded, generator):
            ids, mask = pad([encoded[i] for i in batch])
            for group in optimizer.param_groups:
                group["lr"] = group["base_lr"] * rate_factor(step, total_steps)
            loss = F.cross_entropy(model(ids, mask), labels[batch])
            if not torch.isfinite(loss):
                raise SystemExit(f"the loss diverged at step {step + 1}")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, CLIP_NORM)
            optimizer.step()
            step += 1
            total += loss.item() * len(batch)
            seen += len(batch)
        elapsed = time.perf_counter() - started
        seconds += elapsed
        print(f"epoch {epoch}: loss {total / max(1, seen):.4f}, {elapsed:.1f} s, {count / elapsed:.1f} sentences/s", file=sys.stderr)
    return seconds


def predict(model, encoded, batch_size=64):
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    predictions = [0] * len(encoded)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            ids, mask = pad([encoded[i] for i in batch])
            for index, label in zip(batch, model(ids, mask).argmax(1).tolist()):
                predictions[index] = label
    return predictions


def macro_f1(truth, predictions, classes):
    scores = []
    for c in range(classes):
        tp = sum(1 for t, p in zip(truth, predictions) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predictions) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predictions) if t == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / max(1, len(scores))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", required=True, help="a sentence-transformers folder (config.json, model.safetensors, tokenizer.json)")
    parser.add_argument("--train", default="/work/main/Corpora/rotten-tomatoes/train.txt")
    parser.add_argument("--test", default="/work/main/Corpora/rotten-tomatoes/test.txt")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N training and the first N test documents")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=128, help="tokens per text, [CLS] and [SEP] included (default 128)")
    parser.add_argument("--no-encoder-dropout", action="store_true", help="the encoder's dropout at 0 while training (the head's stays)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    arguments = parser.parse_args()

    torch.set_num_threads(arguments.threads)
    torch.manual_seed(arguments.seed)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(arguments.encoder, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(arguments.max_length)

    train_texts, train_labels = read_corpus(arguments.train, arguments.limit)
    test_texts, test_labels = read_corpus(arguments.test, arguments.limit)
    names = sorted(set(train_labels))
    index = {name: i for i, name in enumerate(names)}
    train_classes = [index[name] for name in train_labels]
    test_classes = [index.get(name, -1) for name in test_labels]  # a label unseen in training is always wrong
    started = time.perf_counter()
    train_encoded, test_encoded = tokenize(tokenizer, train_texts), tokenize(tokenizer, test_texts)
    print(f"{len(train_texts)} training and {len(test_texts)} test documents, {len(names)} classes, "
          f"tokenized in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    model, _ = load_encoder(arguments.encoder, len(names))
    seconds = train(model, train_encoded, train_classes, arguments.epochs, arguments.seed, not arguments.no_encoder_dropout)
    predictions = predict(model, test_encoded)
    accuracy = sum(1 for t, p in zip(test_classes, predictions) if t == p) / max(1, len(test_classes))
    result = {
        "accuracy": accuracy,
        "macro_f1": macro_f1(test_classes, predictions, len(names)),
        "train_seconds": seconds,
        "sentences_per_second": len(train_texts) * arguments.epochs / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "epochs": arguments.epochs,
        "documents": len(train_texts),
        "test_documents": len(test_texts),
        "encoder_dropout": not arguments.no_encoder_dropout,
        "max_length": arguments.max_length,
        "threads": arguments.threads,
    }
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}")
        print(f"training {result['train_seconds']:.1f} s, {result['sentences_per_second']:.1f} sentences/s "
              f"({result['documents']} documents x {result['epochs']} epochs)")
        print(f"peak RSS {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
