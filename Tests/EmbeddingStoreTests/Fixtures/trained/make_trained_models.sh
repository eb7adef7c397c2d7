#!/bin/sh
# Trains small fastText models with the real CLI (Debian fasttext 0.9.2) on the shipped Rotten
# Tomatoes corpus and writes what the CLI answers for them, for FastTextBinaryTests.
# Run from this folder: apt-get install fasttext && sh make_trained_models.sh
set -e
ROOT=../../../..
TRAIN=$ROOT/Corpora/rotten-tomatoes/train.txt
cut -d' ' -f2- "$TRAIN" > text.tmp
COMMON="-dim 8 -epoch 2 -minCount 5 -bucket 5000 -thread 1 -seed 1"
fasttext skipgram -input text.tmp -output skipgram $COMMON -minn 3 -maxn 5 > /dev/null
fasttext cbow -input text.tmp -output cbow $COMMON -minn 2 -maxn 4 > /dev/null
fasttext supervised -input "$TRAIN" -output ova $COMMON -loss ova -wordNgrams 2 -minn 3 -maxn 5 > /dev/null
fasttext supervised -input "$TRAIN" -output hs $COMMON -loss hs -wordNgrams 2 -maxn 0 > /dev/null
fasttext supervised -input "$TRAIN" -output ns $COMMON -loss ns -neg 5 -wordNgrams 2 -minn 2 -maxn 3 > /dev/null
rm -f text.tmp skipgram.vec cbow.vec ova.vec hs.vec ns.vec
printf 'film\nmovie\nwonderful\nunwatchable\nxylophonic\ncafé\n' > words.txt
head -100 "$ROOT/Corpora/rotten-tomatoes/test.txt" > lines.txt
for model in skipgram cbow; do fasttext print-word-vectors $model.bin < words.txt > $model.vectors; done
for model in ova hs ns; do fasttext predict-prob $model.bin lines.txt 3 > $model.predict-prob; done
