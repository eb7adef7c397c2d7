#!/usr/bin/env bash
# Writes seed inputs for every fuzz target into the folder given (from the test fixtures and
# files made from them with the release `embkit`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
embkit=.build/release/embkit
fixtures=Tests/EmbeddingStoreTests/Fixtures
rm -rf "$out"
for target in word2vec-binary word2vec-text glove fasttext-vec fasttext-bin native gzip fasttext-model corpus model png jpeg idx onnx; do
    mkdir -p "$out/$target"
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp $fixtures/toy-model.bin $fixtures/euclidean_vectors.bin "$out/word2vec-binary/"
cp $fixtures/toy-model.vec "$out/word2vec-text/"
head -c 20000 $fixtures/test_glove.txt > "$out/glove/test_glove.txt"
cp $fixtures/crime-and-punishment.vec "$out/fasttext-vec/"
cp $fixtures/crime-and-punishment.bin $fixtures/cp852_fasttext.bin "$out/fasttext-bin/"
$embkit convert $fixtures/toy-model.vec "$out/native/toy.ekv" 2> /dev/null
$embkit convert $fixtures/test_glove.txt "$scratch/glove.ekv" --limit 40 2> /dev/null && cp "$scratch/glove.ekv" "$out/native/"
$embkit convert $fixtures/toy-model.vec "$out/native/toy-f16.ekv" --precision f16 2> /dev/null
$embkit convert $fixtures/toy-model.vec "$out/native/toy-int8-copy.ekv" --precision int8 --keep-float32 2> /dev/null
cp $fixtures/native-v2.ekv "$out/native/"
gzip -c $fixtures/toy-model.vec > "$out/gzip/toy.vec.gz"
cp $fixtures/rt_sup.ftz $fixtures/trained/ova.bin "$out/fasttext-model/"
cp $fixtures/sentences-supervised-input.txt "$out/corpus/"
printf 'label,text\npos,"a ""quoted"" text"\nneg,plain\n' > "$out/corpus/small.csv"
printf 'pos\tgood film\nneg\tbad film\n' > "$out/corpus/small.tsv"
printf '__label__a the of and\n__label__b in to is\n__label__a of the\n__label__b to is in\n' > "$scratch/train.txt"
$embkit train --train "$scratch/train.txt" --embeddings $fixtures/toy-model.vec --output "$out/model/bag.ekm" --self-contained 2> /dev/null
$embkit train --train "$scratch/train.txt" --embeddings $fixtures/toy-model.vec --strategy fixed-features --self-contained \
    --output "$out/model/fixed.ekm" 2> /dev/null
cp Tests/ImageFeaturesTests/Fixtures/images/*.png "$out/png/"
cp Tests/ImageFeaturesTests/Fixtures/images/*.jpg "$out/jpeg/"
python3 - "$out/idx" <<'PYTHON'
import gzip, struct, sys
images = gzip.open("Corpora/fashion-mnist-5-9/t10k-images-idx3-ubyte.gz").read()
labels = gzip.open("Corpora/fashion-mnist-5-9/t10k-labels-idx1-ubyte.gz").read()
open(sys.argv[1] + "/images.idx", "wb").write(images[:4] + struct.pack(">III", 3, 28, 28) + images[16:16 + 3 * 784])
open(sys.argv[1] + "/labels.idx", "wb").write(labels[:4] + struct.pack(">I", 3) + labels[8:11])
PYTHON
cp Tests/ONNXImportTests/Fixtures/*.onnx Tests/ONNXExportTests/Fixtures/graph.onnx "$out/onnx/"
