"""The KMS RSA keyring of the official AWS Encryption SDK for Python 4 (Material Providers Library),
against a KMS endpoint the test started on 127.0.0.1 (`envelope kms serve` / the local KMS server).

Usage: kms_rsa_peer.py encrypt|decrypt ENDPOINT REGION KEY_ARN ALGORITHM IN OUT [CONTEXT_JSON]
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. encrypt fetches the public key with
kms:GetPublicKey (boto3) and uses the committing suite without signing (0x0478), as the keyring
requires; decrypt calls kms:Decrypt. Prints one JSON line: the message's encryption context.
"""
import json
import sys

import boto3
import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import AlgorithmSuite
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
from aws_cryptographic_material_providers.mpl.models import CreateAwsKmsRsaKeyringInput
from cryptography.hazmat.primitives import serialization


def main(argv):
    mode, endpoint, region, key_arn, algorithm, source, destination = argv[:7]
    context = json.loads(argv[7]) if len(argv) > 7 else {}
    kms = boto3.client("kms", region_name=region, endpoint_url=endpoint)
    public_key = None
    if mode == "encrypt":
        answer = kms.get_public_key(KeyId=key_arn)
        der = answer["PublicKey"]
        public_key = serialization.load_der_public_key(der).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    mpl = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    keyring = mpl.create_aws_kms_rsa_keyring(input=CreateAwsKmsRsaKeyringInput(
        kms_key_id=key_arn, encryption_algorithm=algorithm, public_key=public_key, kms_client=kms))
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    with open(source, "rb") as handle:
        data = handle.read()
    if mode == "encrypt":
        output, header = client.encrypt(source=data, keyring=keyring, encryption_context=context,
                                        algorithm=AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
    else:
        output, header = client.decrypt(source=data, keyring=keyring)
    with open(destination, "wb") as handle:
        handle.write(output)
    print(json.dumps({"EncryptionContext": dict(header.encryption_context)}))


if __name__ == "__main__":
    main(sys.argv[1:])
