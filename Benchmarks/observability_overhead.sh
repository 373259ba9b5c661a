#!/usr/bin/env bash
# What the observability costs when no metrics backend or tracer is bootstrapped (the default no-op
# ones): instructions per 1 KiB 0x0478 raw-AES message, encrypt and decrypt, of the small-message
# bench built twice: as shipped, and with the client's telemetry compiled out
# (-DENVELOPEKIT_NO_TELEMETRY, see EnvelopeClient.swift). Counted by callgrind, which is stable on a
# loaded machine; per message = (Ir of N2 messages - Ir of N1 messages) / (N2 - N1), so start-up
# and warm-up cancel out. Results: Benchmarks/results/observability-overhead.md.
#
# Usage: Benchmarks/observability_overhead.sh [N1 N2]   (default 200 1200)
set -euo pipefail
cd "$(dirname "$0")/SmallMessages"
n1="${1:-200}" n2="${2:-1200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

swift build -c release --product envelope-bench-small
swift build -c release --product envelope-bench-small --scratch-path .build-notelemetry -Xswiftc -DENVELOPEKIT_NO_TELEMETRY
# valgrind 3.19 cannot read the toolchain's DWARF 5: strip the binaries and the Swift runtime.
objcopy --strip-debug .build/release/envelope-bench-small "$work/shipped"
objcopy --strip-debug .build-notelemetry/release/envelope-bench-small "$work/compiled-out"
runtime="$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux"
mkdir -p "$work/lib"
for lib in "$runtime"/*.so; do objcopy --strip-debug "$lib" "$work/lib/$(basename "$lib")"; done

# Total Ir of one run.
count() {
    LD_LIBRARY_PATH="$work/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/$1" "$2" "$3" >/dev/null 2>&1
    sed -n 's/^summary: //p' "$work/cg.out"
}

printf '%-14s %-14s %12s\n' build mode "Ir/message"
for build in shipped compiled-out; do
    for mode in count-encrypt count-decrypt; do
        a="$(count "$build" "$mode" "$n1")" b="$(count "$build" "$mode" "$n2")"
        printf '%-14s %-14s %12.1f\n' "$build" "$mode" "$(echo "($b - $a) / ($n2 - $n1)" | bc -l)"
    done
done
