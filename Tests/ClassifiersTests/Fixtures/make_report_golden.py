#!/usr/bin/env python3
"""Writes report-golden.json: scikit-learn's classification_report and confusion_matrix for fixed
random predictions (4 classes, one never predicted), the reference for ClassificationReport.
Run from this folder: pip install scikit-learn && python3 make_report_golden.py
"""
import json
import random
from sklearn.metrics import classification_report, confusion_matrix, accuracy_score, f1_score

random.seed(7)
gold = [random.randrange(4) for _ in range(200)]
predicted = [g if random.random() < 0.6 else random.choice([0, 1, 2]) for g in gold]
report = classification_report(gold, predicted, labels=[0, 1, 2, 3], output_dict=True, zero_division=0)
golden = {
    "gold": gold, "predicted": predicted,
    "accuracy": accuracy_score(gold, predicted),
    "macro_f1": f1_score(gold, predicted, average="macro", zero_division=0),
    "per_class": [[report[str(c)]["precision"], report[str(c)]["recall"], report[str(c)]["f1-score"], report[str(c)]["support"]]
                  for c in range(4)],
    "confusion": confusion_matrix(gold, predicted, labels=[0, 1, 2, 3]).tolist(),
}
with open("report-golden.json", "w") as out:
    json.dump(golden, out)
print(golden["accuracy"], golden["macro_f1"])
