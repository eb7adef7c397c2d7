#!/usr/bin/env bash
# Fuzzes EmbeddingKit's readers with libFuzzer and AddressSanitizer.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]      # default: 600 seconds for each of every target
#   FUZZ_RSS_LIMIT_MB=8192 Fuzz/run.sh …     # the fuzzing process's memory limit (default 4096)
#
# Builds Sources/EmbeddingKitFuzz with -sanitize=fuzzer,address (into .build-fuzz, apart from the
# normal build), writes seed inputs made from the test fixtures (Fuzz/make_seeds.sh), then runs
# each target for SECONDS, two at a time (one per core). Per target it keeps the grown corpus in
# .build-fuzz/corpus/TARGET, findings (crash-*, leak-*, timeout-*) in Fuzz/findings/TARGET/, and
# prints executions and findings to Fuzz/results.md. A finding becomes a regression test: copy it
# to Tests/EmbeddingStoreTests/Fixtures/fuzz/ and replay it (see FuzzRegressionTests).
# Not part of `swift test` or CI: it takes hours of CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(word2vec-binary word2vec-text glove fasttext-vec fasttext-bin native gzip fasttext-model corpus model png jpeg idx onnx)
fi
swift build -c release --product embkit
# lld links the sanitized build (gold fails on it); without SwiftPM's '-rpath=$ORIGIN' form, which lld rejects.
swift build -c release --product EmbeddingKitFuzz --build-path .build-fuzz --disable-local-rpath \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -D -Xswiftc EMBKIT_FUZZING -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -use-ld=lld
fuzzer=.build-fuzz/release/EmbeddingKitFuzz
bash Fuzz/make_seeds.sh .build-fuzz/seeds
run_one() {
    local target=$1 corpus=.build-fuzz/corpus/$1 findings=Fuzz/findings/$1
    mkdir -p "$corpus" "$findings"
    local log=.build-fuzz/$target.log
    EMBKIT_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 "$fuzzer" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-4096}" -max_len=1048576 \
        -artifact_prefix="$findings/" "$corpus" ".build-fuzz/seeds/$target" > "$log" 2>&1 || true
    # "Done N runs" when the time ran out; otherwise the last status line before the finding stopped it.
    local runs; runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    local found; found=$(find "$findings" -type f | wc -l)
    echo "| $target | $seconds | $runs | $(find "$corpus" -type f | wc -l) | $found |" >> .build-fuzz/results.part
}
rm -f .build-fuzz/results.part
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run_one "${targets[i]}" &
    if [ $((i + 1)) -lt ${#targets[@]} ]; then run_one "${targets[i + 1]}" & fi
    wait
done
{
    echo "# Fuzzing results ($(date -u +%Y-%m-%d), $(nproc) cores, ${seconds} s per target)"
    echo
    echo "| target | seconds | executions | corpus files | findings |"
    echo "|---|---|---|---|---|"
    cat .build-fuzz/results.part
} > Fuzz/results.md
cat Fuzz/results.md
