# Read by `embkit-bench classify` and run with: python3 -c SCRIPT FOLDER EMBEDDINGS TRAIN EPOCHS [mlp-only].
# Times a plain-Python featurizer (regex tokens, mean of GloVe vectors) and scikit-learn's
# LogisticRegression and MLPClassifier fitted on the features EmbeddingKit exported to FOLDER
# (each fit the median of three, as EmbeddingKit's side is timed), and prints "name value" lines.
# With `mlp-only`, only the MLPClassifier part runs (for the one-core comparison).
import gzip, re, statistics, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

folder, embeddings, train_path, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
mlp_only = len(sys.argv) > 5 and sys.argv[5] == "mlp-only"

def median_seconds(fit):
    times, model = [], None
    for _ in range(3):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), model

def load(stem, columns=None):
    labels = np.loadtxt(stem + ".labels", dtype=np.int64)
    features = np.fromfile(stem + ".features", dtype=np.float32).reshape(len(labels), -1)
    return features, labels

x_train, y_train = load(folder + "/train")
x_test, y_test = load(folder + "/test")

if not mlp_only:
    opener = gzip.open if embeddings.endswith(".gz") else open
    vectors = {}
    with opener(embeddings, "rt", encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip().split(" ")
            vectors[parts[0]] = np.asarray(parts[1:], dtype=np.float32)
    dimensions = len(next(iter(vectors.values())))

    start = time.perf_counter()
    token = re.compile(r"\w+|[^\w\s]")
    texts = [line.split(" ", 1)[1] for line in open(train_path, encoding="utf-8") if line.strip()]
    features = np.zeros((len(texts), dimensions), dtype=np.float32)
    for row, text in enumerate(texts):
        found = [vectors[t] for t in token.findall(text.lower()) if t in vectors]
        if found:
            features[row] = np.mean(found, axis=0)
    print("featurize_seconds", time.perf_counter() - start)

    seconds, logistic = median_seconds(lambda: LogisticRegression(C=1.0, max_iter=1000).fit(x_train, y_train))
    print("logistic_seconds", seconds)
    print("logistic_accuracy", logistic.score(x_test, y_test))

seconds, mlp = median_seconds(lambda: MLPClassifier(hidden_layer_sizes=(256,), max_iter=epochs, n_iter_no_change=epochs + 1,
                                                     tol=0, random_state=1).fit(x_train, y_train))
print("mlp_seconds", seconds)
print("mlp_accuracy", mlp.score(x_test, y_test))
