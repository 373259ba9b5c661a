# EnvelopeKit — build, test and demo from a fresh clone.
#   make deps    system packages (OpenSSL 3, libsodium, pkg-config, python3-venv), only if missing
#   make venv    .build/venv with the pinned Python test peers (Tests/requirements-test.txt)
#   make venv-cli  .build/venv-cli with aws-encryption-cli (Tests/requirements-cli-test.txt; its own venv:
#                its aws-encryption-sdk pin conflicts with the interop peer's)
#   make man     the envelope(1) man page from the CLI's own help (ArgumentParser's generate-manual
#                plugin, a release build) into .build/man/envelope.1
#   make build   swift build of the library package and of the samples package (Samples/: the CLI,
#                the walkthrough; built in Samples/.build)
#   make release the `envelope` CLI as shipped: release build, Swift runtime linked in
#                (--static-swift-stdlib: runs without a Swift toolchain, starts faster)
#   make test    deps + venv + build and test both packages + check-deps (a library user resolves no
#                sample-only package)
#   make demo    deps + build the `envelope` CLI + run scripts/demo.sh: on the embedded local KMS, a key
#                shared between two accounts encrypts and decrypts a file as the external user
#   make fuzz    scripts/fuzz.sh: the libFuzzer targets of Fuzz/ (FUZZ_SECONDS per target, default 60)
#   make fuzz-diff  scripts/fuzz-diff.sh: differential fuzzing against the Python ESDK (FUZZ_MUTANTS
#                mutants, default 100000; FUZZ_SEED, default 1); not part of `make test`
#   make test-tsan  the test suite under the thread sanitizer (scripts/test-tsan.sh, .build-tsan)
#   make test-asan  the library's tests under the address sanitizer (scripts/test-asan.sh, .build-asan)
#   make bench   Benchmarks/compare.sh: OpenSSL vs our CLI (1 job, all jobs) vs the Python ESDK, one run
#   make clean   remove every build folder (both packages, fuzz, benchmarks) and the venv
# Variables: SWIFT (default swift), PYTHON (python3 used to create the venv),
#            SWIFT_TEST_FLAGS (e.g. SWIFT_TEST_FLAGS='--filter InteropTests').

SWIFT ?= swift
PYTHON ?= python3
SWIFT_TEST_FLAGS ?=
# The samples are a package of their own (Samples/Package.swift, depending on this one by path), built
# in their own folder (Samples/.build): a scratch folder shared by two root packages makes SwiftPM
# run the wrong test bundle and miss new source files.
SAMPLES := $(SWIFT) build --package-path Samples
SAMPLES_TEST := $(SWIFT) test --package-path Samples

VENV := .build/venv
VENV_PYTHON := $(CURDIR)/$(VENV)/bin/python3
VENV_STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := Tests/requirements-test.txt

VENV_CLI := .build/venv-cli
VENV_CLI_STAMP := $(VENV_CLI)/.requirements-installed
REQUIREMENTS_CLI := Tests/requirements-cli-test.txt

.PHONY: all deps venv venv-cli build release test demo clean check-swift check-deps fuzz fuzz-diff test-tsan test-asan docs api-check man

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

venv-cli: deps
	@$(MAKE) --no-print-directory -q $(VENV_CLI_STAMP) || $(MAKE) --no-print-directory $(VENV_CLI_STAMP)

$(VENV_CLI_STAMP): $(REQUIREMENTS_CLI)
	@echo "venv-cli: creating $(VENV_CLI) from $(REQUIREMENTS_CLI)"
	rm -rf $(VENV_CLI)
	$(PYTHON) -m venv $(VENV_CLI)
	$(VENV_CLI)/bin/python3 -m pip install --disable-pip-version-check --no-input -q -r $(REQUIREMENTS_CLI)
	@touch $@

man: deps check-swift
	$(SWIFT) package --package-path Samples generate-manual --configuration debug --authors "EnvelopeKit contributors"
	@mkdir -p .build/man
	@cp "$$(find Samples/.build/plugins -path '*GenerateManual*' -name envelope.1 | head -n 1)" .build/man/envelope.1
	@echo "man: .build/man/envelope.1 (read it with: man ./.build/man/envelope.1)"

build: deps check-swift
	$(SWIFT) build
	$(SAMPLES)

release: deps check-swift
	$(SAMPLES) -c release --static-swift-stdlib --product envelope
	@echo "release: $$($(SAMPLES) -c release --static-swift-stdlib --show-bin-path)/envelope"

test: deps venv venv-cli check-swift check-deps
	$(SWIFT) build --build-tests
	ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) $(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)
	$(SAMPLES) --build-tests
	ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) ENVELOPE_TEST_AWS_ENCRYPTION_CLI=$(CURDIR)/$(VENV_CLI)/bin/aws-encryption-cli \
	  $(SAMPLES_TEST) --skip-build $(SWIFT_TEST_FLAGS)

# What a library user resolves: the root package's dependency graph must hold only what the libraries
# need (no ArgumentParser or other sample-only package).
check-deps: check-swift
	@SWIFT=$(SWIFT) ./scripts/check-library-dependencies.sh

demo: deps check-swift
	$(SAMPLES) --product envelope
	./scripts/demo.sh "$$($(SAMPLES) --show-bin-path)/envelope"

# Static DocC documentation of every library module (.build-docs/site); DocC warnings are errors.
docs: deps check-swift
	SWIFT=$(SWIFT) ./scripts/docs.sh

# Public API changes that would break clients (scripts/api-check.sh): against API_BASELINE=REV if
# given, else the newest v* tag, else (no release yet) main's merge base, or HEAD~1 on main itself.
API_BASELINE ?=
api-check: deps check-swift
	SWIFT=$(SWIFT) ./scripts/api-check.sh $(API_BASELINE)

FUZZ_SECONDS ?= 60
fuzz: deps check-swift
	SWIFT=$(SWIFT) ./scripts/fuzz.sh $(FUZZ_SECONDS)

FUZZ_MUTANTS ?= 100000
FUZZ_SEED ?= 1
fuzz-diff: deps venv check-swift
	SWIFT=$(SWIFT) ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) ./scripts/fuzz-diff.sh $(FUZZ_MUTANTS) $(FUZZ_SEED)

test-tsan: deps venv venv-cli check-swift
	SWIFT=$(SWIFT) ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) ENVELOPE_TEST_AWS_ENCRYPTION_CLI=$(CURDIR)/$(VENV_CLI)/bin/aws-encryption-cli \
	  ./scripts/test-tsan.sh

test-asan: deps venv check-swift
	SWIFT=$(SWIFT) ENVELOPE_TEST_PYTHON=$(VENV_PYTHON) ./scripts/test-asan.sh $(SWIFT_TEST_FLAGS)

clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz .build-docs .build-api Samples/.build Samples/.build-tsan Fuzz/.build Benchmarks/.build Benchmarks/SmallMessages/.build

include Benchmarks/Makefile.inc
