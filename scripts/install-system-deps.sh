#!/usr/bin/env bash
# Installs the system packages EnvelopeKit builds and tests with, only those that are missing:
#   OpenSSL 3 libcrypto (libssl-dev), libsodium (libsodium-dev), pkg-config, and Python's venv
#   module (python3-venv) for the test peers.
# Checks first (pkg-config, a Python import); runs `apt-get update` + `apt-get install` only when
# something must be installed. Runs as root, or through sudo when that is available.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
missing=()

if ! command -v pkg-config >/dev/null 2>&1; then
    missing+=(pkg-config)
fi
if ! pkg-config --atleast-version=3.0 libcrypto >/dev/null 2>&1; then
    missing+=(libssl-dev)
fi
if ! pkg-config --exists libsodium >/dev/null 2>&1; then
    missing+=(libsodium-dev)
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    missing+=(python3 python3-venv)
elif ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap separately (python3-venv, or python3.X-venv).
    missing+=(python3-venv)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps: system packages present (libcrypto $(pkg-config --modversion libcrypto), libsodium $(pkg-config --modversion libsodium), $("$PYTHON" --version 2>&1))"
    exit 0
fi

echo "deps: missing: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: no apt-get on this system; install the equivalents of: ${missing[*]}" >&2
    echo "      (macOS: brew install openssl@3 libsodium pkg-config)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "deps: need root to install ${missing[*]}: run as root, install sudo, or install them yourself" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

# python3-venv brings ensurepip for the distribution's default python3 only; another python3.X
# needs its own python3.X-venv.
if command -v "$PYTHON" >/dev/null 2>&1 && ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)"; then
        "${as_root[@]}" apt-get install -y -q --no-install-recommends "python${version}-venv" || true
    fi
fi

problems=()
pkg-config --atleast-version=3.0 libcrypto >/dev/null 2>&1 || problems+=("OpenSSL 3 libcrypto not found by pkg-config")
pkg-config --exists libsodium >/dev/null 2>&1 || problems+=("libsodium not found by pkg-config")
"$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 || problems+=("$PYTHON cannot create virtual environments (no venv/ensurepip)")
if [ "${#problems[@]}" -gt 0 ]; then
    printf 'deps: still missing after installing %s:\n' "${missing[*]}" >&2
    printf '      - %s\n' "${problems[@]}" >&2
    echo "      install them by hand, or set PYTHON=/path/to/python3 (3.10+) for the test venv" >&2
    exit 1
fi
echo "deps: installed ${missing[*]}"
