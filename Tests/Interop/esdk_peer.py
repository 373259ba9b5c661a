#!/usr/bin/env python3
"""Interop peer: encrypt or decrypt with the official AWS Encryption SDK for Python (4.0.7).

EnvelopeKit's interop tests run this script to check that messages written by EnvelopeKit are
read by the ESDK and the other way round. It uses the ESDK's master-key-provider API for raw
keys (RawMasterKey + WrappingKey) with the raw AES and raw RSA wrapping algorithms.

Single job:
  esdk_peer.py encrypt --in PLAINTEXT --out MESSAGE  KEY-OPTIONS [--suite 0x0578] [--frame-length 4096]
               [--context '{"k":"v"}'] [--commitment-policy require-encrypt-require-decrypt]
  esdk_peer.py decrypt --in MESSAGE --out PLAINTEXT  KEY-OPTIONS [--commitment-policy P]
  KEY-OPTIONS: --aes-key-hex HEX (16/24/32 bytes) | --rsa-pem FILE --rsa-padding pkcs1|oaep-sha1|oaep-sha256|oaep-sha384|oaep-sha512
               --namespace NS --name NAME
  prints one JSON object (see `run_job`) on stdout; exit status 1 if the job failed.

Batch (one Python start-up for many cases):
  esdk_peer.py batch JOBS.json|-
  JOBS is a JSON list of job objects:
    {"op": "encrypt"|"decrypt",
     "input": PATH | "input_hex": HEX,           # plaintext (encrypt) or message (decrypt)
     "output": PATH (optional; without it the result carries "output_hex"),
     "key": {"type": "raw-aes", "key_hex": HEX, "namespace": NS, "name": NAME}
          | {"type": "raw-rsa", "pem_file": PATH, "padding": P, "namespace": NS, "name": NAME},
     or "keys": [KEY, KEY, ...] (several keys: encrypt generates the data key with the first and
          wraps it with every one, one EDK each; decrypt tries them all),
     "suite": 1400 | "0x0578" (encrypt; optional), "frame_length": N (encrypt; optional),
     "context": {...} (encrypt; optional), "commitment_policy": P (optional)}
  Frame lengths the Python ESDK writes: multiples of 128 (its check counts the AES block size in
  bits); 0 writes a non-framed message. It reads any frame length.
  prints a JSON list with one result per job, in order; exit status 0 even when jobs fail
  (each result says "ok": true/false); exit status 2 for a malformed job file.

Result object: {"ok": true, "op": ..., "suite_id": 1400, "suite_hex": "0x0578", "frame_length": N,
  "encryption_context": {...} (as stored in the header, so signed suites include
  aws-crypto-public-key), "message_id_hex": ..., "encrypted_data_keys": [{"provider_id", "provider_info_hex"}],
  "output_hex"?: ..., "output_length": N} or {"ok": false, "op": ..., "error_type": ..., "error": ...}.
"""
import argparse
import binascii
import json
import logging
import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import (
    Algorithm,
    CommitmentPolicy,
    EncryptionKeyType,
    WrappingAlgorithm,
)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.base import MasterKeyProvider, MasterKeyProviderConfig
from aws_encryption_sdk.key_providers.raw import RawMasterKey

COMMITMENT_POLICIES = {
    "forbid-encrypt-allow-decrypt": CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    "require-encrypt-allow-decrypt": CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    "require-encrypt-require-decrypt": CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
}

RSA_PADDINGS = {
    "pkcs1": WrappingAlgorithm.RSA_PKCS1,
    "oaep-sha1": WrappingAlgorithm.RSA_OAEP_SHA1_MGF1,
    "oaep-sha256": WrappingAlgorithm.RSA_OAEP_SHA256_MGF1,
    "oaep-sha384": WrappingAlgorithm.RSA_OAEP_SHA384_MGF1,
    "oaep-sha512": WrappingAlgorithm.RSA_OAEP_SHA512_MGF1,
}

AES_WRAPPING_BY_KEY_LENGTH = {
    16: WrappingAlgorithm.AES_128_GCM_IV12_TAG16_NO_PADDING,
    24: WrappingAlgorithm.AES_192_GCM_IV12_TAG16_NO_PADDING,
    32: WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
}


# The ESDK logs failures it also raises ("Error on closing" + traceback); the peer reports every
# failure in its JSON result instead, so keep stderr quiet.
logging.getLogger("aws_encryption_sdk").addHandler(logging.NullHandler())
logging.getLogger("aws_encryption_sdk").propagate = False


class JobError(Exception):
    """A job description that cannot be run (bad key, unknown suite, ...)."""


def parse_suite(value):
    """Accepts an int (1400), a hex string ("0x0578", "0578") or an ESDK suite name."""
    if value is None:
        return None
    if isinstance(value, int):
        suite_id = value
    else:
        text = str(value).strip()
        if hasattr(Algorithm, text):
            return getattr(Algorithm, text)
        try:
            suite_id = int(text, 16)
        except ValueError:
            raise JobError("unknown algorithm suite %r: give an id like 0x0578 or an ESDK name" % (value,))
    try:
        return Algorithm.get_by_id(suite_id)
    except KeyError:
        raise JobError("unknown algorithm suite id 0x%04X" % suite_id)


def build_master_key(key):
    """Builds a RawMasterKey from a key description (see module docstring)."""
    key_type = key.get("type")
    namespace = key.get("namespace")
    name = key.get("name")
    if not namespace or name is None:
        raise JobError("key needs a namespace and a name")
    if key_type == "raw-aes":
        try:
            key_bytes = binascii.unhexlify(key["key_hex"])
        except (KeyError, binascii.Error, TypeError):
            raise JobError("raw-aes key needs key_hex: the wrapping key in hex")
        if len(key_bytes) not in AES_WRAPPING_BY_KEY_LENGTH:
            raise JobError("raw-aes key must be 16, 24 or 32 bytes, got %d" % len(key_bytes))
        wrapping_key = WrappingKey(
            wrapping_algorithm=AES_WRAPPING_BY_KEY_LENGTH[len(key_bytes)],
            wrapping_key=key_bytes,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )
    elif key_type == "raw-rsa":
        padding = key.get("padding")
        if padding not in RSA_PADDINGS:
            raise JobError("raw-rsa padding must be one of %s" % ", ".join(sorted(RSA_PADDINGS)))
        try:
            with open(key["pem_file"], "rb") as handle:
                pem = handle.read()
        except (KeyError, OSError) as error:
            raise JobError("raw-rsa key needs pem_file, a readable PEM file (%s)" % error)
        key_kind = EncryptionKeyType.PRIVATE if b"PRIVATE KEY" in pem else EncryptionKeyType.PUBLIC
        wrapping_key = WrappingKey(
            wrapping_algorithm=RSA_PADDINGS[padding], wrapping_key=pem, wrapping_key_type=key_kind
        )
    else:
        raise JobError("key type must be raw-aes or raw-rsa, got %r" % (key_type,))
    return RawMasterKey(provider_id=namespace, key_id=name.encode("utf-8"), wrapping_key=wrapping_key)


class StaticKeysProvider(MasterKeyProvider):
    """A provider that only holds the raw master keys added to it (the first one generates)."""

    provider_id = "envelopekit-interop-peer"
    vend_masterkey_on_decrypt = False
    _config_class = MasterKeyProviderConfig

    def _new_master_key(self, key_id):
        raise JobError("no master key %r in this job" % (key_id,))


def build_key_provider(job):
    """The master key (provider) of a job: "key" (one) or "keys" (several, first is primary)."""
    specs = job.get("keys")
    if specs is None:
        return build_master_key(job.get("key") or {})
    if not isinstance(specs, list) or not specs:
        raise JobError("keys must be a non-empty list of key descriptions")
    provider = StaticKeysProvider()
    for spec in specs:
        provider.add_master_key_provider(build_master_key(spec))
    return provider


def read_input(job):
    if "input_hex" in job:
        return binascii.unhexlify(job["input_hex"])
    if "input" in job:
        with open(job["input"], "rb") as handle:
            return handle.read()
    raise JobError("job needs input (a path) or input_hex")


def describe_header(header):
    return {
        "suite_id": header.algorithm.algorithm_id,
        "suite_hex": "0x%04X" % header.algorithm.algorithm_id,
        "suite_name": header.algorithm.name,
        "frame_length": header.frame_length,
        "content_type": header.content_type.value,
        "encryption_context": dict(header.encryption_context),
        "message_id_hex": binascii.hexlify(header.message_id).decode("ascii"),
        "encrypted_data_keys": [
            {
                "provider_id": edk.key_provider.provider_id,
                "provider_info_hex": binascii.hexlify(edk.key_provider.key_info).decode("ascii"),
            }
            for edk in sorted(header.encrypted_data_keys, key=lambda e: (e.key_provider.provider_id, e.key_provider.key_info))
        ],
    }


def run_job(job, key_arguments=None):
    """Runs one job and returns its result object; never raises.

    `key_arguments(job)` gives the ESDK's key argument for the job ({"key_provider": ...} or
    {"keyring": ...}); by default the job's raw master keys. Other peers (ecdh_peer.py) pass their own.
    """
    op = job.get("op")
    try:
        if op not in ("encrypt", "decrypt"):
            raise JobError("op must be encrypt or decrypt, got %r" % (op,))
        policy_name = job.get("commitment_policy", "require-encrypt-require-decrypt")
        if policy_name not in COMMITMENT_POLICIES:
            raise JobError("commitment_policy must be one of %s" % ", ".join(COMMITMENT_POLICIES))
        client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=COMMITMENT_POLICIES[policy_name])
        keys = key_arguments(job) if key_arguments else {"key_provider": build_key_provider(job)}
        data = read_input(job)
        if op == "encrypt":
            kwargs = dict(keys, source=data, encryption_context=job.get("context") or {})
            suite = parse_suite(job.get("suite"))
            if suite is not None:
                kwargs["algorithm"] = suite
            if job.get("frame_length") is not None:
                kwargs["frame_length"] = int(job["frame_length"])
            output, header = client.encrypt(**kwargs)
        else:
            output, header = client.decrypt(source=data, **keys)
        result = {"ok": True, "op": op}
        result.update(describe_header(header))
        result["output_length"] = len(output)
        if job.get("output"):
            with open(job["output"], "wb") as handle:
                handle.write(output)
        else:
            result["output_hex"] = binascii.hexlify(output).decode("ascii")
        return result
    except Exception as error:  # report every failure as data: the caller decides what it means
        return {"ok": False, "op": op, "error_type": type(error).__name__, "error": str(error)}


def run_batch(path, key_arguments=None, name="esdk_peer"):
    """Runs the jobs of a JSON list file (or stdin for "-") and prints the list of results.
    Returns the exit status: 0, or 2 when the job file cannot be read."""
    try:
        if path == "-":
            jobs = json.load(sys.stdin)
        else:
            with open(path, "r", encoding="utf-8") as handle:
                jobs = json.load(handle)
        if not isinstance(jobs, list):
            raise ValueError("the job file must hold a JSON list")
    except (OSError, ValueError) as error:
        sys.stderr.write("%s: cannot read jobs: %s\n" % (name, error))
        return 2
    json.dump([run_job(job, key_arguments) for job in jobs], sys.stdout)
    sys.stdout.write("\n")
    return 0


def key_from_arguments(args):
    if args.aes_key_hex:
        return {"type": "raw-aes", "key_hex": args.aes_key_hex, "namespace": args.namespace, "name": args.name}
    if args.rsa_pem:
        return {
            "type": "raw-rsa",
            "pem_file": args.rsa_pem,
            "padding": args.rsa_padding,
            "namespace": args.namespace,
            "name": args.name,
        }
    raise JobError("give --aes-key-hex or --rsa-pem")


def main(argv):
    parser = argparse.ArgumentParser(description="AWS Encryption SDK (Python) interop peer for EnvelopeKit")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("encrypt", "decrypt"):
        command = commands.add_parser(name)
        command.add_argument("--in", dest="input", required=True, help="input file")
        command.add_argument("--out", dest="output", required=True, help="output file")
        command.add_argument("--aes-key-hex", help="raw AES wrapping key, 16/24/32 bytes in hex")
        command.add_argument("--rsa-pem", help="PEM file of the RSA key (private, or public to encrypt only)")
        command.add_argument("--rsa-padding", default="oaep-sha256", choices=sorted(RSA_PADDINGS))
        command.add_argument("--namespace", required=True, help="key namespace (provider id)")
        command.add_argument("--name", required=True, help="key name")
        command.add_argument("--commitment-policy", default="require-encrypt-require-decrypt", choices=list(COMMITMENT_POLICIES))
        if name == "encrypt":
            command.add_argument("--suite", help="algorithm suite id (0x0578) or ESDK name")
            command.add_argument("--frame-length", type=int)
            command.add_argument("--context", default="{}", help="encryption context as a JSON object")
    batch = commands.add_parser("batch")
    batch.add_argument("jobs", help="JSON file with a list of jobs, or - for stdin")
    args = parser.parse_args(argv)

    if args.command == "batch":
        return run_batch(args.jobs)

    try:
        job = {
            "op": args.command,
            "input": args.input,
            "output": args.output,
            "key": key_from_arguments(args),
            "commitment_policy": args.commitment_policy,
        }
        if args.command == "encrypt":
            job["suite"] = args.suite
            job["frame_length"] = args.frame_length
            job["context"] = json.loads(args.context)
    except (JobError, ValueError) as error:
        sys.stderr.write("esdk_peer: %s\n" % error)
        return 2
    result = run_job(job)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
