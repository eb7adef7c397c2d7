#!/usr/bin/env python3
"""Writes the word vectors of the fastText .bin fixtures as the reference tools compute them.

golden/<model>.vectors: the real fastText CLI (Debian's `fasttext` 0.9.2, `fasttext
print-word-vectors MODEL`, 5–6 significant digits) for the files it reads (versions 11 and 12).
golden/<model>.gensim: gensim 4.4.0's `load_facebook_vectors` in full float32 precision (repr), for
those and for the older files without magic number (`non_ascii_fasttext.bin`, `lee_fasttext.bin`),
which fastText 0.9.2 refuses.
Queried words: every 7th vocabulary word plus unknown words (ASCII, accented, Cyrillic, CJK).
Run from this folder: apt-get install fasttext && pip install gensim==4.4.0 && python3 make_fasttext_golden.py
"""
import subprocess
from gensim.models.fasttext import load_facebook_vectors

UNKNOWN = ["xyzzy", "anarchismus", "café", "naïveté", "преступлениями", "東京都", "a", "zz"]

for name, cli in [("toy-model.bin", True), ("crime-and-punishment.bin", True), ("lee_fasttext_new.bin", True),
                  ("non_ascii_fasttext.bin", False), ("lee_fasttext.bin", False)]:
    vectors = load_facebook_vectors(name)
    words = vectors.index_to_key[::7] + [w for w in UNKNOWN if w not in vectors.key_to_index]
    with open(f"golden/{name}.gensim", "w", encoding="utf-8") as out:
        for word in words:
            out.write(word + " " + " ".join(repr(float(x)) for x in vectors[word]) + "\n")
    if cli:
        output = subprocess.run(["fasttext", "print-word-vectors", name], input="\n".join(words) + "\n",
                                capture_output=True, text=True, check=True).stdout
        with open(f"golden/{name}.vectors", "w", encoding="utf-8") as out:
            out.write(output)
    print(name, len(words), "words", "(CLI and gensim)" if cli else "(gensim)")

# The quantized supervised model's word vectors (product-quantized rows with qnorm, pruned n-grams).
words = ["the", "film", "wonderful", "unwatchable", "café", "xyzzy"]
with open("golden/rt_sup.ftz.vectors", "w", encoding="utf-8") as out:
    out.write(subprocess.run(["fasttext", "print-word-vectors", "rt_sup.ftz"], input="\n".join(words) + "\n",
                             capture_output=True, text=True, check=True).stdout)

# Sentence vectors (`fasttext print-sentence-vectors`): unsupervised toy model and supervised rt_sup.ftz.
for name, lines in [("toy-model.bin", "sentences-input.txt"), ("rt_sup.ftz", "sentences-supervised-input.txt")]:
    with open(lines, encoding="utf-8") as source, open(f"golden/{name}.sentences", "w", encoding="utf-8") as out:
        out.write(subprocess.run(["fasttext", "print-sentence-vectors", name], stdin=source,
                                 capture_output=True, text=True, check=True).stdout)
