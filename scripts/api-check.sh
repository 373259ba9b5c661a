#!/usr/bin/env bash
# `make api-check`: reports public API changes of the library products that would break a client
# compiled against a baseline, with `swift package diagnose-api-breaking-changes`; exits non-zero
# when it finds one.
#
# Usage: scripts/api-check.sh [BASELINE]     (make api-check API_BASELINE=REV)
# The baseline (any git revision) is, in this order:
#   1. the argument, or API_BASELINE;
#   2. the newest version tag (v1.2.3): what the versioning policy promises compatibility with;
#   3. with no tag yet: the merge base with main (or origin/main) for a branch — what the branch
#      changes; on main itself (merge base = HEAD), the previous commit (HEAD~1).
# Products compared: every library product, or those named in API_PRODUCTS (space-separated).
# The current tree is built in the regular .build (API_SCRATCH to change it), so after `swift build`
# only the baseline is built from scratch: SwiftPM checks it out under <scratch>/apidiff and builds it
# there; its API files are kept in .build-api/baselines/<commit> and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
swift="${SWIFT:-swift}"
baseline="${1:-${API_BASELINE:-}}"
why="given"
if [ -z "$baseline" ]; then
    baseline="$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || true)"
    why="the newest version tag"
fi
if [ -z "$baseline" ]; then
    for main in main origin/main; do
        if git rev-parse --verify -q "$main^{commit}" >/dev/null; then
            baseline="$(git merge-base HEAD "$main")"
            why="no version tag yet: the merge base of HEAD with $main"
            break
        fi
    done
    if [ -n "$baseline" ] && [ "$(git rev-parse "$baseline")" = "$(git rev-parse HEAD)" ]; then
        baseline="$(git rev-parse HEAD~1)"
        why="no version tag yet and HEAD is on main: the previous commit (HEAD~1)"
    fi
fi
if [ -z "$baseline" ]; then
    echo "api-check: no baseline (no version tag, no main branch); pass one: scripts/api-check.sh REV or make api-check API_BASELINE=REV" >&2
    exit 2
fi
if ! commit="$(git rev-parse --verify -q "$baseline^{commit}")"; then
    echo "api-check: '$baseline' is not a git revision of this repository" >&2
    exit 2
fi
if [ "$commit" = "$(git rev-parse HEAD)" ] && git diff --quiet HEAD -- Sources Package.swift; then
    echo "api-check: the baseline $baseline is HEAD itself and nothing is changed; nothing to compare"
    exit 0
fi
read -r -a products <<< "${API_PRODUCTS:-EnvelopeCrypto EnvelopeCore EnvelopeSigV4 EnvelopeKMS EnvelopeKMSPolicy EnvelopeLocalKMS EnvelopeKMSHTTP EnvelopeLocalKMSServer}"
args=()
for product in "${products[@]}"; do args+=(--products "$product"); done
echo "api-check: baseline $baseline ($why), commit ${commit:0:12}: $(git log -1 --format=%s "$commit")"
echo "api-check: comparing the public API of ${#products[@]} library products (uncommitted changes included)"
mkdir -p .build-api/baselines
"$swift" package --scratch-path "${API_SCRATCH:-.build}" diagnose-api-breaking-changes "$commit" \
    --baseline-dir "$PWD/.build-api/baselines" "${args[@]}"
