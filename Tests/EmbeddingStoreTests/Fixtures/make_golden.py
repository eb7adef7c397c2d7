#!/usr/bin/env python3
"""Writes golden/<fixture>.golden: what gensim 4.4.0 reads from each fixture.

One line per word in gensim's order: the word, a tab, then each float32 value as 8 hex digits of
its bit pattern, so the Swift tests can compare bit for bit.
Run from this folder: pip install gensim==4.4.0 && python3 make_golden.py
"""
import numpy as np
from gensim.models import KeyedVectors

FIXTURES = [
    ("euclidean_vectors.bin", dict(binary=True)),
    ("EN.1-10.cbow1_wind5_hs0_neg10_size300_smpl1e-05.txt", dict(binary=False)),
    ("test_glove.txt", dict(binary=False, no_header=True)),
    ("lee_fasttext.vec", dict(binary=False)),
    ("crime-and-punishment.vec", dict(binary=False)),
    ("toy-model.vec", dict(binary=False)),
]

for name, options in FIXTURES:
    vectors = KeyedVectors.load_word2vec_format(name, **options)
    with open(f"golden/{name}.golden", "w", encoding="utf-8") as out:
        for word in vectors.index_to_key:
            bits = np.asarray(vectors[word], dtype=np.float32).view(np.uint32)
            out.write(word + "\t" + " ".join(f"{b:08x}" for b in bits) + "\n")
    print(name, len(vectors.index_to_key), vectors.vector_size)
