"""The comparison run behind `make bench` (started by compare.sh, which prepares the tools).

In one run on one machine and the same files it measures OpenSSL's own AES-256-GCM and SHA-384
speed, our tool (whole process, release build) at one job and all jobs, and the official Python
ESDK (streaming API) on the same suite and frame length; peak RSS of each through /usr/bin/time -v.
Writes Benchmarks/results/comparison.md and comparison.png.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import time

MB = 1_000_000


def run_timed(command, env=None):
    """Runs command under /usr/bin/time -v; returns (seconds, peak RSS in MiB)."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return elapsed, rss_kb / 1024


def best_of(runs, command):
    """Fastest of `runs` runs (the least disturbed by other load) and the largest peak RSS."""
    times, rss = [], []
    for _ in range(runs):
        t, r = run_timed(command)
        times.append(t)
        rss.append(r)
    return min(times), max(rss)


def openssl_speed(algorithm, block, seconds):
    out = subprocess.run(["openssl", "speed", "-seconds", str(seconds), "-evp", algorithm, "-bytes", str(block)],
                         capture_output=True, text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.lower().startswith(algorithm.lower()) or l.startswith("AES-256-GCM")][-1]
    kbytes = float(line.split()[-1].rstrip("k"))
    return kbytes * 1000 / MB


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ours", nargs="+", required=True, help="our command prefix; mode INPUT OUTPUT KEY --suite --frame --jobs follow")
    p.add_argument("--ours-name", default="envelope-bench-file")
    p.add_argument("--python", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--size-mib", type=int, default=512)
    p.add_argument("--rss-size-mib", type=int, default=1024)
    p.add_argument("--frame", type=int, default=65536)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--python-runs", type=int, default=1)
    p.add_argument("--results", required=True)
    args = p.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    cores = os.cpu_count() or 1
    size = args.size_mib * 1024 * 1024
    d = args.dir
    os.makedirs(d, exist_ok=True)
    plain = os.path.join(d, f"plain-{args.size_mib}m")
    key = os.path.join(d, "key.bin")
    if not os.path.exists(key):
        with open(key, "wb") as f:
            f.write(os.urandom(32))
    for path, n in [(plain, size)]:
        if not os.path.exists(path) or os.path.getsize(path) != n:
            with open(path, "wb") as f:
                for _ in range(n // (1 << 20)):
                    f.write(os.urandom(1 << 20))
    load_before = load_average()
    print(f"load average before: {load_before}", flush=True)

    rows = []
    aes = openssl_speed("aes-256-gcm", args.frame, 3)
    sha = openssl_speed("sha384", args.frame, 3)
    rows.append(("OpenSSL AES-256-GCM", f"{args.frame // 1024} KiB blocks", "-", "speed", aes, None, None))
    rows.append(("OpenSSL SHA-384", f"{args.frame // 1024} KiB blocks", "-", "speed", sha, None, None))
    print(f"openssl aes-256-gcm {aes:.0f} MB/s, sha384 {sha:.0f} MB/s", flush=True)

    results = {}
    for suite in ["0x0478", "0x0578"]:
        enc = os.path.join(d, f"enc-{suite}")
        dec = os.path.join(d, f"dec-{suite}")
        for jobs in sorted({1, cores}):
            common = ["--suite", suite, "--frame", str(args.frame), "--jobs", str(jobs)]
            t, rss = best_of(args.runs, args.ours + ["encrypt", plain, enc, key] + common)
            results[("ours", suite, jobs, "encrypt")] = (size / t / MB, rss)
            t, rss = best_of(args.runs, args.ours + ["decrypt", enc, dec, key] + common)
            results[("ours", suite, jobs, "decrypt")] = (size / t / MB, rss)
            print(f"ours {suite} jobs {jobs}: encrypt {results[('ours', suite, jobs, 'encrypt')][0]:.0f} MB/s, "
                  f"decrypt {results[('ours', suite, jobs, 'decrypt')][0]:.0f} MB/s", flush=True)
        subprocess.run(["cmp", plain, dec], check=True)
        py_script = os.path.join(here, "python_esdk.py")
        py_enc = os.path.join(d, f"py-enc-{suite}")
        py_dec = os.path.join(d, f"py-dec-{suite}")
        t, rss = best_of(args.python_runs, [args.python, py_script, "encrypt", plain, py_enc, key, suite, str(args.frame)])
        results[("python", suite, 1, "encrypt")] = (size / t / MB, rss)
        # The Python ESDK decrypts our message: the same input file, and a check of interoperability.
        t, rss = best_of(args.python_runs, [args.python, py_script, "decrypt", enc, py_dec, key, suite, str(args.frame)])
        results[("python", suite, 1, "decrypt")] = (size / t / MB, rss)
        subprocess.run(["cmp", plain, py_dec], check=True)
        print(f"python {suite}: encrypt {results[('python', suite, 1, 'encrypt')][0]:.0f} MB/s, "
              f"decrypt {results[('python', suite, 1, 'decrypt')][0]:.0f} MB/s", flush=True)
        for path in [py_enc, py_dec, dec]:
            os.remove(path)

    # Peak RSS on a larger file, all jobs, default suite.
    big = os.path.join(d, f"plain-{args.rss_size_mib}m")
    with open(big, "wb") as f:
        for _ in range(args.rss_size_mib):
            f.write(os.urandom(1 << 20))
    common = ["--suite", "0x0578", "--frame", str(args.frame), "--jobs", str(cores)]
    _, rss_enc = run_timed(args.ours + ["encrypt", big, big + ".enc", key] + common)
    _, rss_dec = run_timed(args.ours + ["decrypt", big + ".enc", big + ".dec", key] + common)
    subprocess.run(["cmp", big, big + ".dec"], check=True)
    for path in [big, big + ".enc", big + ".dec"]:
        os.remove(path)
    load_after = load_average()

    # Table.
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# EnvelopeKit comparison ({stamp})",
        "",
        f"Machine: {cores} cores, {subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.strip()}. "
        f"Load average before: {load_before}; after: {load_after}.",
        f"Files: {args.size_mib} MiB of random bytes in `{d}`, frame length {args.frame} bytes, raw AES-256 wrapping key. "
        f"Ours: `{args.ours_name}` (whole process, release build), best of {args.runs}; Python: aws-encryption-sdk 4.0.7 streaming API, "
        f"best of {args.python_runs}. MB = 10^6 bytes of plaintext per second.",
        "",
        "| what | suite | jobs | operation | MB/s | peak RSS (MiB) | ours/OpenSSL | ours/Python |",
        "|---|---|---|---|---:|---:|---:|---:|",
        f"| OpenSSL `speed -evp aes-256-gcm` | {args.frame // 1024} KiB blocks | 1 | seal | {aes:.0f} | | | |",
        f"| OpenSSL `speed -evp sha384` | {args.frame // 1024} KiB blocks | 1 | digest | {sha:.0f} | | | |",
    ]
    for suite in ["0x0478", "0x0578"]:
        bound, bound_name = (aes, "AES") if suite == "0x0478" else (sha, "SHA-384")
        for op in ["encrypt", "decrypt"]:
            py = results[("python", suite, 1, op)][0]
            for jobs in sorted({1, cores}):
                mbps, rss = results[("ours", suite, jobs, op)]
                lines.append(f"| ours | {suite} | {jobs} | {op} | {mbps:.0f} | {rss:.0f} | {mbps / bound:.2f} (of {bound_name}) | {mbps / py:.1f}x |")
            lines.append(f"| Python ESDK | {suite} | 1 | {op} | {py:.0f} | {results[('python', suite, 1, op)][1]:.0f} | | |")
    lines += ["", f"Peak RSS, {args.rss_size_mib} MiB file, 0x0578, {cores} jobs: encrypt {rss_enc:.0f} MiB, decrypt {rss_dec:.0f} MiB.", ""]

    # Targets (issue 7).
    o = lambda s, j, op: results[("ours", s, j, op)][0]
    checks = [
        ("0x0478 encrypt, 1 job >= 80% of OpenSSL AES-256-GCM", o("0x0478", 1, "encrypt") >= 0.8 * aes, f"{o('0x0478', 1, 'encrypt') / aes:.0%}"),
        (f"0x0478 encrypt, {cores} jobs >= 1.5x 1 job", o("0x0478", cores, "encrypt") >= 1.5 * o("0x0478", 1, "encrypt"),
         f"{o('0x0478', cores, 'encrypt') / o('0x0478', 1, 'encrypt'):.2f}x"),
        ("0x0578 encrypt (best jobs) >= 85% of OpenSSL SHA-384", max(o("0x0578", j, "encrypt") for j in {1, cores}) >= 0.85 * sha,
         f"{max(o('0x0578', j, 'encrypt') for j in {1, cores}) / sha:.0%}"),
    ]
    for suite in ["0x0478", "0x0578"]:
        for op in ["encrypt", "decrypt"]:
            best = max(o(suite, j, op) for j in {1, cores})
            py = results[("python", suite, 1, op)][0]
            checks.append((f"{suite} {op} >= 5x Python ESDK", best >= 5 * py, f"{best / py:.1f}x"))
        for j in sorted({1, cores}):
            checks.append((f"{suite} decrypt within 10% of encrypt, {j} jobs", o(suite, j, "decrypt") >= 0.9 * o(suite, j, "encrypt"),
                           f"{o(suite, j, 'decrypt') / o(suite, j, 'encrypt'):.0%}"))
    max_rss = max([rss_enc, rss_dec] + [v[1] for k, v in results.items() if k[0] == "ours"])
    checks.append(("peak RSS <= 64 MiB (any run of ours)", max_rss <= 64, f"{max_rss:.0f} MiB"))
    lines += ["| target | met | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {value} |" for name, ok, value in checks]
    text = "\n".join(lines) + "\n"
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "comparison.md"), "w") as f:
        f.write(text)
    print(text)

    # Chart.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels, values, colors = ["OpenSSL AES-256-GCM", "OpenSSL SHA-384"], [aes, sha], ["#888888", "#888888"]
    for suite in ["0x0478", "0x0578"]:
        for op in ["encrypt", "decrypt"]:
            for jobs in sorted({1, cores}):
                labels.append(f"ours {suite} {op} {jobs}j")
                values.append(o(suite, jobs, op))
                colors.append("#1f77b4" if jobs == 1 else "#2ca02c")
            labels.append(f"Python {suite} {op}")
            values.append(results[("python", suite, 1, op)][0])
            colors.append("#d62728")
    fig, ax = plt.subplots(figsize=(10, 7))
    ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v:.0f}", va="center", fontsize=8)
    ax.set_xlabel("MB/s (plaintext)")
    ax.set_title(f"EnvelopeKit vs OpenSSL and the Python ESDK: {args.size_mib} MiB, {args.frame // 1024} KiB frames ({stamp})")
    fig.tight_layout()
    fig.savefig(os.path.join(args.results, "comparison.png"), dpi=110)


if __name__ == "__main__":
    main()
