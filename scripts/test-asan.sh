#!/usr/bin/env bash
# Runs the library's tests under the address sanitizer, `make test-asan` (issue 15).
#
#   scripts/test-asan.sh [extra swift test arguments]      (env ASAN_FILTER, ASAN_OPTIONS)
#
# Catches what a plain run cannot see: a double free or a use after free inside OpenSSL (which
# wipes a context before freeing it, so glibc's own checks stay silent), reads past a buffer,
# use of a stack frame after return. Own scratch path (.build-asan) so the normal build stays
# intact; only EnvelopeKit's own test targets run. Any report fails the run (ASan aborts the
# process). Leak detection is off here: the Swift runtime keeps metadata caches for the life of
# the process by design; leaks are checked by the fuzz targets (`make fuzz`, LeakSanitizer on).
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-"detect_leaks=0 abort_on_error=0 halt_on_error=1"}
FILTER=${ASAN_FILTER:-"EnvelopeCryptoTests|EnvelopeCoreTests|EnvelopeKMSTests|EnvelopeLocalKMSTests"}
echo "==> swift test --sanitize=address (scratch .build-asan, filter: $FILTER)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"${SWIFT:-swift}" test --sanitize=address --scratch-path "$PWD/.build-asan" --filter "$FILTER" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if grep -q "ERROR: AddressSanitizer" "$log"; then
    echo "!! AddressSanitizer reported an error (see above)" >&2
    rc=1
fi
exit $rc
