#!/usr/bin/env bash
# Differential fuzzing against the official AWS Encryption SDK for Python (issue 15), `make fuzz-diff`.
#
#   scripts/fuzz-diff.sh [mutants] [seed]      (defaults 100000 and 1; needs ENVELOPE_TEST_PYTHON)
#
# Builds Fuzz/ as scripts/fuzz.sh does (the differential run gets AddressSanitizer too) and runs
# FuzzDiff: base messages of all 11 suites written by EnvelopeKit and by the Python ESDK are mutated
# (bit flips, truncation, frame splicing, header edits re-authenticated under the data key, EDK count
# and length edits); each mutant is decrypted by EnvelopeKit in this process and by the Python ESDK
# in one long-lived worker (Fuzz/Differential/esdk_worker.py). Both must accept with the same
# plaintext or both reject. Writes .build-fuzz/diff/{report.txt,manifest.tsv,corpus/,disagreements/};
# exits 1 on any disagreement that no known explanation fits (Fuzz/Sources/FuzzDiff/Explanation.swift).
# Fuzz/Differential/curate.py copies chosen mutants of a run into Tests/EnvelopeCoreTests/Vectors/differential,
# which `swift test` replays (DifferentialCorpusTests).
set -euo pipefail
cd "$(dirname "$0")/.."
MUTANTS=${1:-100000}
SEED=${2:-1}
: "${ENVELOPE_TEST_PYTHON:?set ENVELOPE_TEST_PYTHON to a Python with aws-encryption-sdk (make venv makes .build/venv)}"

echo "==> building Fuzz/ (-sanitize=fuzzer,address)"
FLAGS=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
(cd Fuzz && "${SWIFT:-swift}" build "${FLAGS[@]}" --product FuzzDiff 2>&1 \
    | grep -v -e "Cannot export local symbol" -e "^\[[0-9]*/[0-9]*\]" || true)
BIN=$(cd Fuzz && "${SWIFT:-swift}" build "${FLAGS[@]}" --show-bin-path)
[[ -x $BIN/FuzzDiff ]] || { echo "error: $BIN/FuzzDiff was not built; see the build output above" >&2; exit 1; }

echo "==> $MUTANTS mutants, seed $SEED"
# Leak checking belongs to the libFuzzer runs (scripts/fuzz.sh); here a leak report at exit would only
# hide the verdict figures.
ASAN_OPTIONS=detect_leaks=0 "$BIN/FuzzDiff" --mutants "$MUTANTS" --seed "$SEED" --out "$PWD/.build-fuzz/diff"
