#!/usr/bin/env bash
# `make check-deps` (part of `make test`): a library user who depends on EnvelopeKit resolves only
# what its libraries need. Reads `swift package show-dependencies --format json` of the root
# package and fails when a package outside the allowed set appears — the samples' ArgumentParser
# in particular, which lives in Samples/Package.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
# Direct dependencies of the libraries, and the packages they bring in themselves.
allowed_direct="swift-log swift-nio swift-system async-http-client hummingbird swift-metrics swift-distributed-tracing swift-service-lifecycle"
forbidden="swift-argument-parser benchmark swift-docc-plugin"
"${SWIFT:-swift}" package show-dependencies --format json 2>/dev/null | python3 -c '
import json, sys
graph = json.load(sys.stdin)
allowed, forbidden = set(sys.argv[1].split()), set(sys.argv[2].split())
direct = {d["identity"] for d in graph["dependencies"]}
everything = set()
def walk(node):
    everything.add(node["identity"])
    for child in node["dependencies"]:
        walk(child)
walk(graph)
errors = []
if direct - allowed:
    errors.append("the library package depends directly on %s; only %s are library dependencies (sample-only packages belong in Samples/Package.swift)" % (sorted(direct - allowed), sorted(allowed)))
if everything & forbidden:
    errors.append("a library user would resolve %s" % sorted(everything & forbidden))
if errors:
    print("check-deps: " + "; ".join(errors), file=sys.stderr)
    sys.exit(1)
print("check-deps: a library user resolves %d packages, none of them sample-only (direct: %s)" % (len(everything) - 1, ", ".join(sorted(direct))))
' "$allowed_direct" "$forbidden"
