#!/usr/bin/env python3
"""Writes golden/keyedvectors-glove20k.json: gensim 4.4.0's KeyedVectors conveniences on the
shipped GloVe subset (Embeddings/glove.6B.50d.20k.txt.gz): most_similar with several positive
and negative words, distance, n_similarity, rank and closer_than.
Run from this folder: pip install gensim==4.4.0 && python3 make_keyedvectors_golden.py
"""
import json
from gensim.models import KeyedVectors

vectors = KeyedVectors.load_word2vec_format("../../../Embeddings/glove.6B.50d.20k.txt.gz", binary=False, no_header=True)
queries = [(["woman", "king"], ["man"]), (["paris", "germany"], ["france"]), (["good"], []), (["car", "train", "bus"], []),
           (["computer"], ["software"]), (["summer", "cold"], ["hot"]), (["river", "bank"], ["money"]), (["happy"], ["sad", "angry"])]
pairs = [("king", "queen"), ("cat", "dog"), ("car", "banana"), ("good", "bad"), ("paris", "london"), ("sun", "moon")]
sets = [(["japanese", "restaurant"], ["chinese", "food"]), (["king"], ["queen", "prince"]), (["red", "green"], ["blue"]),
        (["france", "paris"], ["germany", "berlin"])]
golden = {
    "most_similar": [{"positive": p, "negative": n, "result": [[w, s] for w, s in vectors.most_similar(positive=p, negative=n, topn=10)]}
                     for p, n in queries],
    "distance": [{"pair": list(pair), "value": float(vectors.distance(*pair))} for pair in pairs],
    "n_similarity": [{"first": a, "second": b, "value": float(vectors.n_similarity(a, b))} for a, b in sets],
    "rank": [{"pair": list(pair), "value": int(vectors.rank(*pair))} for pair in pairs],
    "closer_than": [{"pair": list(pair), "words": vectors.closer_than(*pair)} for pair in [("king", "queen"), ("cat", "dog"), ("good", "bad")]],
}
with open("golden/keyedvectors-glove20k.json", "w", encoding="utf-8") as out:
    json.dump(golden, out, ensure_ascii=False, indent=0)
print({key: len(value) for key, value in golden.items()}, [r["value"] for r in golden["rank"]])
