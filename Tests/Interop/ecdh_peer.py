#!/usr/bin/env python3
"""Interop peer for the raw ECDH keyring: encrypt or decrypt with the official AWS Encryption SDK
for Python (4.0.7) and the `RawEcdhKeyring` of the AWS Material Providers Library (1.11.3).

EnvelopeKit's raw-ECDH interop tests run this script in batch mode:

  ecdh_peer.py batch JOBS.json|-

JOBS is a JSON list of job objects:
  {"op": "encrypt"|"decrypt",
   "input_hex": HEX,                       # plaintext (encrypt) or message (decrypt)
   "schema": "static"|"ephemeral"|"discovery",
   "curve": "p256"|"p384"|"p521",
   "private_pem_file": PATH,              # static: the sender's key; discovery: the recipient's
   "public_der_hex": HEX,                 # static, ephemeral: the recipient's SubjectPublicKeyInfo
   "suite": "0x0578" (encrypt; optional), "frame_length": N (encrypt; optional),
   "context": {...} (encrypt; optional), "commitment_policy": P (optional)}

It prints a JSON list with one result per job, in order, and exits 0 even when jobs fail:
  {"ok": true, "op": ..., "suite_id": N, "frame_length": N, "encryption_context": {...},
   "encrypted_data_keys": [{"provider_id", "provider_info_hex"}], "output_hex": HEX}
  or {"ok": false, "op": ..., "error_type": ..., "error": ...}.
Exit status 2 for a malformed job file.
"""
import binascii
import json
import logging
import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
from aws_cryptographic_material_providers.mpl.models import (
    CreateRawEcdhKeyringInput,
    EphemeralPrivateKeyToStaticPublicKeyInput,
    PublicKeyDiscoveryInput,
    RawEcdhStaticConfigurationsEphemeralPrivateKeyToStaticPublicKey,
    RawEcdhStaticConfigurationsPublicKeyDiscovery,
    RawEcdhStaticConfigurationsRawPrivateKeyToStaticPublicKey,
    RawPrivateKeyToStaticPublicKeyInput,
)
from aws_cryptography_primitives.smithygenerated.aws_cryptography_primitives.models import ECDHCurveSpec

COMMITMENT_POLICIES = {
    "forbid-encrypt-allow-decrypt": CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    "require-encrypt-allow-decrypt": CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    "require-encrypt-require-decrypt": CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
}

CURVES = {
    "p256": ECDHCurveSpec.ECC_NIST_P256,
    "p384": ECDHCurveSpec.ECC_NIST_P384,
    "p521": ECDHCurveSpec.ECC_NIST_P521,
}

logging.getLogger("aws_encryption_sdk").addHandler(logging.NullHandler())
logging.getLogger("aws_encryption_sdk").propagate = False


class JobError(Exception):
    """A job that cannot be run as given."""


def read_private_pem(job):
    try:
        with open(job["private_pem_file"], "rb") as handle:
            return handle.read()
    except (KeyError, OSError) as error:
        raise JobError("the job needs private_pem_file, a readable PEM file (%s)" % error)


def public_der(job):
    try:
        return binascii.unhexlify(job["public_der_hex"])
    except (KeyError, binascii.Error, TypeError):
        raise JobError("the job needs public_der_hex, a DER SubjectPublicKeyInfo in hex")


def build_keyring(job):
    """The MPL raw ECDH keyring of a job (see the module docstring)."""
    schema = job.get("schema")
    if schema == "static":
        scheme = RawEcdhStaticConfigurationsRawPrivateKeyToStaticPublicKey(
            RawPrivateKeyToStaticPublicKeyInput(sender_static_private_key=read_private_pem(job),
                                                recipient_public_key=public_der(job)))
    elif schema == "ephemeral":
        scheme = RawEcdhStaticConfigurationsEphemeralPrivateKeyToStaticPublicKey(
            EphemeralPrivateKeyToStaticPublicKeyInput(recipient_public_key=public_der(job)))
    elif schema == "discovery":
        scheme = RawEcdhStaticConfigurationsPublicKeyDiscovery(
            PublicKeyDiscoveryInput(recipient_static_private_key=read_private_pem(job)))
    else:
        raise JobError("schema must be static, ephemeral or discovery, got %r" % (schema,))
    if job.get("curve") not in CURVES:
        raise JobError("curve must be one of %s" % ", ".join(CURVES))
    providers = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    return providers.create_raw_ecdh_keyring(
        input=CreateRawEcdhKeyringInput(key_agreement_scheme=scheme, curve_spec=CURVES[job["curve"]]))


def describe_header(header):
    return {
        "suite_id": header.algorithm.algorithm_id,
        "frame_length": header.frame_length,
        "encryption_context": dict(header.encryption_context),
        "encrypted_data_keys": [
            {
                "provider_id": edk.key_provider.provider_id,
                "provider_info_hex": binascii.hexlify(edk.key_provider.key_info).decode("ascii"),
            }
            for edk in header.encrypted_data_keys
        ],
    }


def run_job(job):
    """Runs one job and returns its result object; never raises."""
    op = job.get("op")
    try:
        if op not in ("encrypt", "decrypt"):
            raise JobError("op must be encrypt or decrypt, got %r" % (op,))
        policy_name = job.get("commitment_policy", "require-encrypt-require-decrypt")
        if policy_name not in COMMITMENT_POLICIES:
            raise JobError("commitment_policy must be one of %s" % ", ".join(COMMITMENT_POLICIES))
        client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=COMMITMENT_POLICIES[policy_name])
        keyring = build_keyring(job)
        data = binascii.unhexlify(job.get("input_hex", ""))
        if op == "encrypt":
            kwargs = {"source": data, "keyring": keyring, "encryption_context": job.get("context") or {}}
            if job.get("suite"):
                kwargs["algorithm"] = Algorithm.get_by_id(int(job["suite"], 16))
            if job.get("frame_length") is not None:
                kwargs["frame_length"] = int(job["frame_length"])
            output, header = client.encrypt(**kwargs)
        else:
            output, header = client.decrypt(source=data, keyring=keyring)
        result = {"ok": True, "op": op}
        result.update(describe_header(header))
        result["output_hex"] = binascii.hexlify(output).decode("ascii")
        return result
    except Exception as error:  # every failure is reported as data: the caller decides what it means
        return {"ok": False, "op": op, "error_type": type(error).__name__, "error": str(error)}


def main(argv):
    if len(argv) != 3 or argv[1] != "batch":
        sys.stderr.write("usage: ecdh_peer.py batch JOBS.json|-\n")
        return 2
    try:
        text = sys.stdin.read() if argv[2] == "-" else open(argv[2]).read()
        jobs = json.loads(text)
        if not isinstance(jobs, list):
            raise ValueError("the job file must hold a JSON list")
    except (OSError, ValueError) as error:
        sys.stderr.write("malformed job file: %s\n" % error)
        return 2
    json.dump([run_job(job) for job in jobs], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
