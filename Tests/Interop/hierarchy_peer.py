"""Hierarchical-keyring peer for the interop tests: the official Python ESDK 4 with the AWS
Material Providers Library's KeyStore and hierarchical keyring, against a moto endpoint (DynamoDB
and KMS on 127.0.0.1).

    hierarchy_peer.py ENDPOINT KEY_ARN TABLE LOGICAL_NAME COMMAND ARGS... [-- COMMAND ARGS...]...

Several commands may run in one process (the libraries take seconds to load), separated by "--".
Commands (each prints one JSON line on success):
    create-store                    -> {"table": ...}          CreateKeyStore (the DynamoDB table)
    create-key                      -> {"branchKeyId": ...}    CreateKey under KEY_ARN
    version-key BKID                -> {}                      VersionKey (rotation)
    encrypt BKID IN OUT [k=v ...]   -> {}                      a message under the active version
    decrypt BKID IN OUT [k=v ...]   -> {}                      (the pairs are required/reproduced)
"""
import json
import sys

import boto3
import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from aws_cryptographic_material_providers.keystore import KeyStore
from aws_cryptographic_material_providers.keystore.config import KeyStoreConfig
from aws_cryptographic_material_providers.keystore.models import (
    CreateKeyInput, CreateKeyStoreInput, KMSConfigurationKmsKeyArn, VersionKeyInput)
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
from aws_cryptographic_material_providers.mpl.models import CreateAwsKmsHierarchicalKeyringInput


def main(argv):
    endpoint, key_arn, table, logical, *rest = argv
    client_args = dict(endpoint_url=endpoint, region_name=key_arn.split(":")[3],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    store = KeyStore(config=KeyStoreConfig(
        ddb_table_name=table, logical_key_store_name=logical,
        kms_configuration=KMSConfigurationKmsKeyArn(key_arn),
        ddb_client=boto3.client("dynamodb", **client_args), kms_client=boto3.client("kms", **client_args)))
    commands, current = [], []
    for word in rest:
        if word == "--":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    for command, *args in commands:
        run(store, command, args)


def run(store, command, args):
    if command == "create-store":
        out = store.create_key_store(CreateKeyStoreInput())
        print(json.dumps({"table": out.table_arn}))
        return
    if command == "create-key":
        print(json.dumps({"branchKeyId": store.create_key(CreateKeyInput()).branch_key_identifier}))
        return
    if command == "version-key":
        store.version_key(VersionKeyInput(branch_key_identifier=args[0]))
        print("{}")
        return
    branch_key_id, source, target, *pairs = args
    context = dict(p.split("=", 1) for p in pairs)
    mpl = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    keyring = mpl.create_aws_kms_hierarchical_keyring(CreateAwsKmsHierarchicalKeyringInput(
        key_store=store, branch_key_id=branch_key_id, ttl_seconds=600))
    esdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    with open(source, "rb") as f:
        data = f.read()
    if command == "encrypt":
        result, _ = esdk.encrypt(source=data, keyring=keyring, encryption_context=context)
    elif command == "decrypt":
        result, header = esdk.decrypt(source=data, keyring=keyring, encryption_context=context)
    else:
        raise SystemExit(f"unknown command {command}")
    with open(target, "wb") as f:
        f.write(result)
    print("{}")


if __name__ == "__main__":
    main(sys.argv[1:])
