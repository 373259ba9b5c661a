#!/usr/bin/env bash
# The comparison behind `make bench` (issue 7): OpenSSL's own AES-256-GCM and SHA-384 speed, our
# tool (whole process, release build) at 1 job and all jobs, and the official Python ESDK 4.0.7
# (streaming API) on the same suite, frame length and files; peak RSS of each.
# Results: Benchmarks/results/comparison.md and comparison.png.
#
# Environment: BENCH_DIR (default /dev/shm/envelope-bench: files on tmpfs, so the disk is not what
# is measured), BENCH_SIZE_MIB (512), BENCH_RSS_SIZE_MIB (1024), BENCH_RUNS (5), BENCH_FRAME (65536),
# BENCH_RESULTS (default Benchmarks/results; point a quick smoke run elsewhere to keep the table).
# Ours runs as `envelope … --jobs 1` and `--jobs <cores>` (compare.py, os.cpu_count()).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/.build/venv"
bench_dir="${BENCH_DIR:-/dev/shm/envelope-bench}"

# /usr/bin/time -v (Debian package `time`) measures peak RSS.
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    else
        echo "compare.sh: /usr/bin/time is missing; install the Debian package 'time'." >&2
        exit 1
    fi
fi
command -v openssl >/dev/null || { echo "compare.sh: openssl is missing (Debian package 'openssl')." >&2; exit 1; }

# Python: the ESDK peer and matplotlib, pinned, in the repository's venv.
if [ ! -x "$venv/bin/python3" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c 'import aws_encryption_sdk, matplotlib' 2>/dev/null \
   || [ "$("$venv/bin/python3" -c 'import aws_encryption_sdk; print(aws_encryption_sdk.__version__)')" != "4.0.7" ]; then
    "$venv/bin/pip" install -q -r "$here/requirements-bench.txt"
fi

# Ours, release build: the `envelope` CLI when the package has it (BENCH_OURS=bench-file forces
# the bench tool), else the bench file tool (EnvelopeClient's file and descriptor helpers).
if [ "${BENCH_OURS:-auto}" != bench-file ] && grep -q 'name: "envelope"' "$root/Samples/Package.swift" 2>/dev/null; then
    # The Swift runtime linked in, as we ship the CLI: no runtime libraries to find and bind at
    # start (about 4 ms of a 120 ms run), and the binary runs where no Swift toolchain is installed.
    swift build -c release --static-swift-stdlib --package-path "$root/Samples" --product envelope >&2
    ours=("$(swift build -c release --static-swift-stdlib --package-path "$root/Samples" --show-bin-path)/envelope")
    ours_name="envelope (CLI)"
    ours_style=cli
else
    swift build -c release --package-path "$here" --product envelope-bench-file >&2
    ours=("$(swift build -c release --package-path "$here" --show-bin-path)/envelope-bench-file")
    ours_name="envelope-bench-file (EnvelopeClient file helpers)"
    ours_style=bench-file
fi

# The in-process tool: the one-shot API on a buffer already in memory (the pipeline's own scaling,
# without the kernel's file copies and the process start).
swift build -c release --package-path "$here" --product envelope-bench-file >&2
memory_tool="$(swift build -c release --package-path "$here" --show-bin-path)/envelope-bench-file"

mkdir -p "$bench_dir"
exec "$venv/bin/python3" "$here/compare.py" \
    --ours "${ours[@]}" --ours-name "$ours_name" --ours-style "$ours_style" --memory-tool "$memory_tool" \
    --python "$venv/bin/python3" --dir "$bench_dir" \
    --size-mib "${BENCH_SIZE_MIB:-512}" --rss-size-mib "${BENCH_RSS_SIZE_MIB:-1024}" \
    --runs "${BENCH_RUNS:-5}" --frame "${BENCH_FRAME:-65536}" \
    --results "${BENCH_RESULTS:-$here/results}"
