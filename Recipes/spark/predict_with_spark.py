#!/usr/bin/env python3
"""Runs `embkit predict` over a corpus with PySpark: the corpus is split into partitions, and each
partition's lines are piped through one `embkit predict` process (`RDD.pipe`), so the work spreads
over every executor core (here `local[N]`: N worker threads on this machine; on a cluster, the
same code with a cluster master and `embkit` plus the model and its embedding file on every node).

`embkit predict` writes exactly one output line per input line, and `RDD.pipe` keeps partition
order, so the collected output lines up with the input line by line.

    python3 Recipes/spark/predict_with_spark.py --embkit .build/release/embkit \
        --model rotten-tomatoes.ekm --input Corpora/rotten_tomatoes/test.txt --output predictions.txt

`--check` also runs the single-process `embkit predict` on the same input and exits 1 unless the
two outputs are byte-identical (what Tests/EmbeddingKitCLITests/SparkRecipeTests checks).
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embkit", required=True, help="the embkit binary")
    parser.add_argument("--model", required=True, help="an EmbeddingKit model or a supervised fastText .bin/.ftz")
    parser.add_argument("--input", required=True, help="one document per line")
    parser.add_argument("--output", required=True, help="where to write one prediction line per input line")
    parser.add_argument("--master", default="local[2]", help="the Spark master (default local[2])")
    parser.add_argument("--partitions", type=int, default=4, help="input partitions, one embkit process each")
    parser.add_argument("-k", type=int, default=1, help="labels per line")
    parser.add_argument("--check", action="store_true", help="compare with the single-process run")
    return parser.parse_args()


def predict_with_spark(arguments):
    from pyspark import SparkConf, SparkContext

    embkit = os.path.abspath(arguments.embkit)
    command = [embkit, "predict", "--model", os.path.abspath(arguments.model), "-k", str(arguments.k)]
    configuration = SparkConf().setMaster(arguments.master).setAppName("embkit-predict")
    configuration.set("spark.ui.enabled", "false")
    context = SparkContext(conf=configuration)
    context.setLogLevel("ERROR")
    try:
        # textFile splits at newlines only: documents must not contain a carriage return alone.
        lines = context.textFile("file://" + os.path.abspath(arguments.input), minPartitions=arguments.partitions)
        predictions = lines.pipe(shlex.join(command), checkCode=True)
        output = predictions.collect()
        partitions = lines.getNumPartitions()
    finally:
        context.stop()
    write_atomically(arguments.output, "".join(line + "\n" for line in output))
    print(f"spark: {len(output)} lines in {partitions} partitions on {arguments.master}", file=sys.stderr)
    return output


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".")
    with os.fdopen(handle, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def main():
    arguments = parse_arguments()
    predict_with_spark(arguments)
    if not arguments.check:
        return
    with open(arguments.input, "rb") as corpus:
        single = subprocess.run([arguments.embkit, "predict", "--model", arguments.model, "-k", str(arguments.k)],
                                stdin=corpus, capture_output=True, check=True).stdout
    with open(arguments.output, "rb") as spark_output:
        spread = spark_output.read()
    if single != spread:
        print(f"spark output differs from the single-process run ({len(spread)} vs {len(single)} bytes)", file=sys.stderr)
        sys.exit(1)
    lines = single.count(b"\n")
    print(f"spark output equals the single-process run ({lines} lines, {len(single)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
