#!/usr/bin/env python3
"""Interop peer for the raw ECDH keyring: encrypt or decrypt with the official AWS Encryption SDK
for Python (4.0.7) and the `RawEcdhKeyring` of the AWS Material Providers Library (1.11.3).

EnvelopeKit's raw-ECDH interop tests run this script in batch mode:

  ecdh_peer.py batch JOBS.json|-

The jobs and results are those of esdk_peer.py (whose job runner this script reuses), with the
key given by these fields instead of "key"/"keys":
   "schema": "static"|"ephemeral"|"discovery",
   "curve": "p256"|"p384"|"p521",
   "private_pem_file": PATH,              # static: the sender's key; discovery: the recipient's
   "public_der_hex": HEX,                 # static, ephemeral: the recipient's SubjectPublicKeyInfo
"""
import binascii
import sys

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

from esdk_peer import JobError, run_batch

CURVES = {
    "p256": ECDHCurveSpec.ECC_NIST_P256,
    "p384": ECDHCurveSpec.ECC_NIST_P384,
    "p521": ECDHCurveSpec.ECC_NIST_P521,
}


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


def keyring_arguments(job):
    """The ESDK's keyring argument for a job: the MPL raw ECDH keyring it describes."""
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
    keyring = providers.create_raw_ecdh_keyring(
        input=CreateRawEcdhKeyringInput(key_agreement_scheme=scheme, curve_spec=CURVES[job["curve"]]))
    return {"keyring": keyring}


def main(argv):
    if len(argv) != 2 or argv[0] != "batch":
        sys.stderr.write("usage: ecdh_peer.py batch JOBS.json|-\n")
        return 2
    return run_batch(argv[1], keyring_arguments, name="ecdh_peer")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
