#!/usr/bin/env bash
# Time-boxed libFuzzer run of the three EnvelopeKit fuzz targets (issue 8), `make fuzz`.
#
#   scripts/fuzz.sh [seconds-per-target]      (default 60; env FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_JOBS)
#
# Builds Fuzz/ with -sanitize=fuzzer,address into Fuzz/.build, seeds every target with the official
# vectors (Tests/EnvelopeCoreTests/Vectors) plus, for the decrypt target, messages under the fixed
# fuzzing key, fuzzes each target for the given time, then minimises what was found into the
# committed corpus Fuzz/corpus/<target> (-merge=1). The decrypt and body targets also start from the
# committed small signed multi-frame messages (Fuzz/corpus/decrypt-signed) and every target uses the
# format dictionary Fuzz/decrypt.dict. Crashes, leaks, timeouts and out-of-memory
# inputs land in .build-fuzz/artifacts/<target>/ and make the script fail. `swift test` replays
# the committed corpus (CorpusReplayTests).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-${FUZZ_SECONDS:-60}}
TARGETS=${FUZZ_TARGETS:-"header body decrypt"}
WORK=$ROOT/.build-fuzz

echo "==> building fuzz targets (Fuzz/, -sanitize=fuzzer,address)"
(cd Fuzz && "${SWIFT:-swift}" build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -v -e "Cannot export local symbol" -e "^\[[0-9]*/[0-9]*\]" || true)
BIN=$(cd Fuzz && "${SWIFT:-swift}" build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)
for t in FuzzHeader FuzzBody FuzzDecrypt; do
    [[ -x $BIN/$t ]] || { echo "error: $BIN/$t was not built; see the build output above" >&2; exit 1; }
done

echo "==> seeds"
rm -rf "$WORK/seeds"; mkdir -p "$WORK/seeds/vectors" "$WORK/seeds/decrypt"
find Tests/EnvelopeCoreTests/Vectors -type f \( -path '*ciphertexts*' -o -name '*.bin' \) ! -name '*.pt' \
    -size -64k -exec cp {} "$WORK/seeds/vectors/" \; 2>/dev/null || true
# Copies may collide by name across folders; that only drops a few duplicates.
ENVELOPE_FUZZ_WRITE_SEEDS="$WORK/seeds/decrypt" ASAN_OPTIONS=detect_leaks=0 "$BIN/FuzzDecrypt" >/dev/null
echo "    $(ls "$WORK/seeds/vectors" | wc -l) vector files, $(ls "$WORK/seeds/decrypt" | wc -l) decrypt seeds"

status=0
for target in $TARGETS; do
    case $target in
        header) exe=FuzzHeader; seeds=("$WORK/seeds/vectors") ;;
        body) exe=FuzzBody; seeds=("$WORK/seeds/vectors" "$WORK/seeds/decrypt" "$ROOT/Fuzz/corpus/decrypt-signed") ;;
        decrypt) exe=FuzzDecrypt; seeds=("$ROOT/Fuzz/corpus/decrypt-signed" "$WORK/seeds/decrypt" "$WORK/seeds/vectors") ;;
        *) echo "unknown target $target (header, body, decrypt)" >&2; exit 2 ;;
    esac
    corpus=$ROOT/Fuzz/corpus/$target
    found=$WORK/found/$target
    artifacts=$WORK/artifacts/$target
    mkdir -p "$corpus" "$found" "$artifacts"
    echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s"
    log=$WORK/$target.log
    set +e
    # LeakSanitizer is part of the ASan runtime on Linux x86-64: detect_leaks=1 (and libFuzzer's
    # -detect_leaks=1) report any leak as a finding.
    ASAN_OPTIONS=detect_leaks=1 "$BIN/$exe" "$found" "$corpus" "${seeds[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -detect_leaks=1 -dict="$ROOT/Fuzz/decrypt.dict" \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
    rc=$?
    set -e
    { grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)" "$log" | tail -2 | cut -c1-100 || true; } | sed 's/^/    /'
    { grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" || true; } | sed 's/^/    /'
    { grep -E "LeakSanitizer|ERROR: AddressSanitizer" "$log" || true; } | head -3 | sed 's/^/    /'
    if [[ $rc -ne 0 ]]; then
        echo "!! $target: libFuzzer exited with $rc; finding(s) in $artifacts (log: $log)" >&2
        grep -E "ERROR|SUMMARY|Fatal error|Test unit written" "$log" | head -10 >&2
        status=1
    fi
    echo "==> minimising $target corpus into Fuzz/corpus/$target"
    mkdir -p "$WORK/merged/$target"; rm -rf "$WORK/merged/$target"/*
    # The decrypt corpus keeps the genuine seed messages it needs (small); vector seeds stay out.
    extra=(); [[ $target == decrypt ]] && extra=("$WORK/seeds/decrypt")
    ASAN_OPTIONS=detect_leaks=0 "$BIN/$exe" -merge=1 -max_len=8192 "$WORK/merged/$target" "$corpus" "$found" "${extra[@]}" >"$WORK/$target.merge.log" 2>&1 || true
    if [[ -n "$(ls -A "$WORK/merged/$target")" ]]; then
        rm -f "$corpus"/*; cp "$WORK/merged/$target"/* "$corpus"/
    fi
    echo "    corpus: $(ls "$corpus" | wc -l) files, $(( $(cat "$corpus"/* 2>/dev/null | wc -c) / 1024 )) KiB"
done
exit $status
