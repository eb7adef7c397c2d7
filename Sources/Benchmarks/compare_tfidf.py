# Run by `embkit-bench transfer` as: python3 compare_tfidf.py TRAIN_TOKENS TEST_TOKENS
# scikit-learn's TF-IDF (unigrams and bigrams of the given tokens) + LogisticRegression, the
# strong bag-of-words baseline; prints one row of the benchmark's Markdown table.
import sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

def read(path):
    labels, texts = [], []
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        labels.append(parts[0])
        texts.append(" ".join(parts[1:]))
    return labels, texts

y_train, x_train = read(sys.argv[1])
y_test, x_test = read(sys.argv[2])
start = time.perf_counter()
vectorizer = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
model = LogisticRegression(C=10, max_iter=1000).fit(vectorizer.fit_transform(x_train), y_train)
seconds = time.perf_counter() - start
predicted = model.predict(vectorizer.transform(x_test))
print(f"| scikit-learn TF-IDF 1–2-grams | logistic (C = 10) | {accuracy_score(y_test, predicted):.4f} | "
      f"{f1_score(y_test, predicted, average='macro'):.4f} | {seconds:.2f} | — |")
