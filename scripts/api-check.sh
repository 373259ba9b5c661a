#!/usr/bin/env bash
# `make api-check`: reports public API changes of the library modules that would break a client
# compiled against the baseline, with `swift package diagnose-api-breaking-changes`.
# Baseline: API_BASELINE if set, else the newest version tag, else the merge base with main (for a
# branch). Exits non-zero when a breaking change is found.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline="${API_BASELINE:-}"
if [ -z "$baseline" ]; then
    baseline="$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || true)"
fi
if [ -z "$baseline" ]; then
    baseline="$(git merge-base HEAD main 2>/dev/null || true)"
fi
if [ -z "$baseline" ]; then
    echo "api-check: no baseline (no version tag, no main branch); set API_BASELINE=REV" >&2
    exit 2
fi
if [ "$(git rev-parse "$baseline^{commit}")" = "$(git rev-parse HEAD)" ]; then
    echo "api-check: the baseline $baseline is HEAD itself; nothing to compare (set API_BASELINE=REV)"
    exit 0
fi
products=(EnvelopeCrypto EnvelopeCore EnvelopeSigV4 EnvelopeKMS EnvelopeKMSPolicy EnvelopeLocalKMS EnvelopeKMSHTTP EnvelopeLocalKMSServer)
args=()
for product in "${products[@]}"; do args+=(--products "$product"); done
echo "api-check: comparing the public API of ${#products[@]} library products with $baseline"
"${SWIFT:-swift}" package --scratch-path .build-api diagnose-api-breaking-changes "$baseline" "${args[@]}"
