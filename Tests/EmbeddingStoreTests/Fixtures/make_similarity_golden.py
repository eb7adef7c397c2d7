#!/usr/bin/env python3
"""Writes golden/similarity-glove20k.json: gensim 4.4.0's answers on the shipped GloVe subset.

Input: Embeddings/glove.6B.50d.20k.txt.gz (the first 20,000 words of GloVe 6B 50d) and the
evaluation sets in eval/. Output: most_similar(topn=10) for 250 words, most_similar and
most_similar_cosmul for 200 analogies, evaluate_word_analogies and evaluate_word_pairs.
Run from this folder: pip install gensim==4.4.0 && python3 make_similarity_golden.py
"""
import json
from gensim.models import KeyedVectors

vectors = KeyedVectors.load_word2vec_format("../../../Embeddings/glove.6B.50d.20k.txt.gz", binary=False, no_header=True)
words = vectors.index_to_key

golden = {"neighbors": {}, "analogies": []}
for word in words[37:20000:80][:250]:
    golden["neighbors"][word] = [[w, s] for w, s in vectors.most_similar(word, topn=10)]

questions = []
with open("eval/questions-words-sample.txt", encoding="utf-8") as lines:
    for line in lines:
        parts = line.lower().split()
        if len(parts) == 4 and all(p in vectors.key_to_index for p in parts):
            questions.append(parts)
for a, b, c, expected in questions[::len(questions) // 200][:200]:
    golden["analogies"].append({
        "a": a, "b": b, "c": c,
        "add": [[w, s] for w, s in vectors.most_similar(positive=[b, c], negative=[a], topn=10)],
        "mul": [[w, s] for w, s in vectors.most_similar_cosmul(positive=[b, c], negative=[a], topn=10)],
    })

score, sections = vectors.evaluate_word_analogies("eval/questions-words-sample.txt")
golden["evaluate_analogies"] = {
    "accuracy": score,
    "sections": [{"name": s["section"], "correct": len(s["correct"]), "total": len(s["correct"]) + len(s["incorrect"])}
                 for s in sections],
}
pearson, spearman, oov = vectors.evaluate_word_pairs("eval/wordsim353.tsv")
golden["evaluate_pairs"] = {"pearson": float(pearson[0]), "spearman": float(spearman[0]), "oov_ratio": float(oov)}

with open("golden/similarity-glove20k.json", "w", encoding="utf-8") as out:
    json.dump(golden, out, ensure_ascii=False, indent=0)
print(len(golden["neighbors"]), "neighbour queries,", len(golden["analogies"]), "analogies,",
      "analogy accuracy", score, "pairs", pearson[0], spearman[0], oov)
