#!/usr/bin/env bash
# Runs the test suite under the thread sanitizer (issue 8), `make test-tsan`.
#
#   scripts/test-tsan.sh [extra swift test arguments]
#
# Uses its own scratch paths (.build-tsan, Samples/.build-tsan) so the normal builds stay intact. Only EnvelopeKit's own
# test targets run (--filter on our targets); the dependencies' code is instrumented but their
# test suites are not ours to run. TSAN_OPTIONS makes any report fail the run (halt_on_error).
# Interop tests that need the Python venv honour ENVELOPE_TEST_PYTHON as in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TSAN_OPTIONS=${TSAN_OPTIONS:-"halt_on_error=1 second_deadlock_stack=1 history_size=4"}
FILTER=${TSAN_FILTER:-"EnvelopeCryptoTests|EnvelopeCoreTests|EnvelopeSigV4Tests|EnvelopeKMSTests|EnvelopeLocalKMSTests|EnvelopeKMSHTTPTests|EnvelopeLocalKMSServerTests|EnvelopeCLITests|InteropTests"}
echo "==> swift test --sanitize=thread (scratch .build-tsan, filter: $FILTER)"
log=$(mktemp)
rc=0
# The library package, then the samples package (the CLI); each `swift test` builds its package first.
for package in . Samples; do
    set +e
    "${SWIFT:-swift}" test --package-path "$package" --sanitize=thread --scratch-path "$PWD/$package/.build-tsan" --filter "$FILTER" "$@" 2>&1 | tee -a "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then rc=$status; fi
done
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "!! ThreadSanitizer reported a data race (see above)" >&2
    rc=1
fi
rm -f "$log"
exit $rc
