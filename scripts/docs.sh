#!/usr/bin/env bash
# `make docs`: static DocC documentation of every library module, combined into one site, in
# .build-docs/site (open .build-docs/site/documentation/index.html through a web server, or host the
# folder). Broken symbol links and other DocC warnings fail the build (--warnings-as-errors;
# DOCC_STRICT=" " reports them without failing).
# The DocC plugin is added to the manifest only here (ENVELOPE_DOCS=1), in its own scratch folder,
# so neither library users nor the test build resolve it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/.build-docs/site"
modules=(EnvelopeCrypto EnvelopeCore EnvelopeSigV4 EnvelopeKMS EnvelopeKMSPolicy EnvelopeLocalKMS EnvelopeKMSHTTP EnvelopeLocalKMSServer)
targets=()
for module in "${modules[@]}"; do
    [ -d "Sources/$module/$module.docc" ] || { echo "docs: Sources/$module has no $module.docc catalog" >&2; exit 1; }
    targets+=(--target "$module")
done
rm -rf "$out"
mkdir -p "$out"
ENVELOPE_DOCS=1 "${SWIFT:-swift}" package --scratch-path .build-docs \
    --allow-writing-to-directory "$out" \
    generate-documentation "${targets[@]}" \
    --enable-experimental-combined-documentation \
    --transform-for-static-hosting --output-path "$out" \
    ${DOCC_STRICT:---warnings-as-errors}
echo "docs: ${#modules[@]} modules in $out (start at documentation/index.html)"
