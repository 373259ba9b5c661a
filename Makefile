# EnvelopeKit — build, test and demo from a fresh clone.
#   make deps    system packages (OpenSSL 3, libsodium, pkg-config, python3-venv), only if missing
#   make venv    .build/venv with the pinned Python test peers (Tests/requirements-test.txt)
#   make build   swift build (all targets, samples included)
#   make test    deps + venv + swift build --build-tests + swift test
#   make demo    deps + build + run Samples/RawAESFileDemo
#   make clean   remove .build (Swift build output and the venv)
# Variables: SWIFT (default swift), PYTHON (python3 used to create the venv),
#            SWIFT_TEST_FLAGS (e.g. SWIFT_TEST_FLAGS='--filter InteropTests').

SWIFT ?= swift
PYTHON ?= python3
SWIFT_TEST_FLAGS ?=

VENV := .build/venv
VENV_PYTHON := $(CURDIR)/$(VENV)/bin/python3
VENV_STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := Tests/requirements-test.txt
DEMO_PRODUCT := raw-aes-file-demo

.PHONY: all deps venv build test demo clean check-swift

all: build

check-swift:
	@command -v $(SWIFT) >/dev/null 2>&1 || { \
	  echo "make: '$(SWIFT)' not found: install the Swift 6 toolchain and put its usr/bin on PATH (or pass SWIFT=/path/to/swift)" >&2; \
	  exit 1; }

deps:
	@PYTHON=$(PYTHON) ./scripts/install-system-deps.sh

# Recreated only when missing, when the pinned requirements changed, or when it no longer works
# (e.g. the Python it was made from is gone).
venv: deps
	@if [ -f $(VENV_STAMP) ] && ! $(VENV)/bin/python3 -c 'import aws_encryption_sdk, boto3, moto' >/dev/null 2>&1; then \
	  echo "venv: $(VENV) no longer works; recreating it"; rm -f $(VENV_STAMP); fi
	@$(MAKE) --no-print-directory -q $(VENV_STAMP) || $(MAKE) --no-print-directory $(VENV_STAMP)

$(VENV_STAMP): $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "venv: the Python test peers need Python 3.10 or later, $(PYTHON) is $$($(PYTHON) --version 2>&1); pass PYTHON=/path/to/python3" >&2; \
	  exit 1; }
	@echo "venv: creating $(VENV) from $(REQUIREMENTS)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python3 -m pip install --disable-pip-version-check --no-input -q -r $(REQUIREMENTS)
	@touch $@

build: deps check-swift
	$(SWIFT) build

test: deps venv check-swift
	$(SWIFT) build --build-tests
	ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) $(SWIFT) test $(SWIFT_TEST_FLAGS)

demo: deps check-swift
	$(SWIFT) build --product $(DEMO_PRODUCT)
	"$$($(SWIFT) build --show-bin-path)/$(DEMO_PRODUCT)"

clean:
	rm -rf .build
