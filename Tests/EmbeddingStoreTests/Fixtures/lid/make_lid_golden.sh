#!/bin/sh
# Writes mixed-input.txt (1,030 lines: 1,000 Rotten Tomatoes snippets — some Portuguese and Spanish —,
# the Russian sentences of crime-and-punishment.txt, 10 greetings in other scripts) and
# mixed-input.predict-prob.txt, what the real fastText CLI (Debian fasttext 0.9.2) predicts for it
# with the shipped lid.176.ftz (hierarchical softmax, 176 labels). Run from this folder.
set -e
ROOT=../../../..
{
  head -1000 "$ROOT/Corpora/rotten-tomatoes/test.txt" | cut -d' ' -f2-
  tr '.' '\n' < ../crime-and-punishment.txt | grep -v '^\s*$' | head -150
  printf 'Bonjour tout le monde\nHola, ¿cómo estás?\nGuten Morgen, wie geht es dir?\nこんにちは世界\n你好，世界\n'
  printf 'Ciao a tutti\nOlá, tudo bem?\nDzień dobry\nΚαλημέρα κόσμε\nمرحبا بالعالم\n'
} > mixed-input.txt
fasttext predict-prob "$ROOT/Embeddings/lid.176.ftz" mixed-input.txt 3 > mixed-input.predict-prob.txt
