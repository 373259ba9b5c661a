"""The AWS Material Providers Library's branch key store (Python, MPL 1.11.3) as a test peer.

Usage: keystore_peer.py ENDPOINT TABLE LOGICAL_NAME KMS_KEY_ARN COMMAND [ARGS...]
  create [BRANCH_KEY_ID CONTEXT_JSON]   -> {"id": ...}
  version BRANCH_KEY_ID                 -> {}
  read BRANCH_KEY_ID [VERSION]          -> {"active": M, "version": M (if VERSION), "beacon": hex}
where M = {"id", "version", "key" (hex), "context"}. One JSON line on stdout. AWS endpoints are the
local moto server at ENDPOINT (127.0.0.1), with placeholder credentials.
"""
import json
import sys

import boto3
from aws_cryptographic_material_providers.keystore import KeyStore
from aws_cryptographic_material_providers.keystore.config import KeyStoreConfig
from aws_cryptographic_material_providers.keystore.models import (
    CreateKeyInput,
    GetActiveBranchKeyInput,
    GetBeaconKeyInput,
    GetBranchKeyVersionInput,
    KMSConfigurationKmsKeyArn,
    VersionKeyInput,
)


def materials(m):
    return {
        "id": m.branch_key_identifier,
        "version": m.branch_key_version,
        "key": bytes(m.branch_key).hex(),
        "context": dict(m.encryption_context),
    }


def main():
    endpoint, table, logical, key_arn, command, *args = sys.argv[1:]
    region = key_arn.split(":")[3]
    client_args = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="peer", aws_secret_access_key="peer")
    store = KeyStore(config=KeyStoreConfig(
        ddb_table_name=table,
        logical_key_store_name=logical,
        kms_configuration=KMSConfigurationKmsKeyArn(key_arn),
        ddb_client=boto3.client("dynamodb", **client_args),
        kms_client=boto3.client("kms", **client_args),
    ))
    if command == "create":
        request = CreateKeyInput(branch_key_identifier=args[0], encryption_context=json.loads(args[1])) if args else CreateKeyInput()
        out = {"id": store.create_key(request).branch_key_identifier}
    elif command == "version":
        store.version_key(VersionKeyInput(branch_key_identifier=args[0]))
        out = {}
    elif command == "read":
        out = {"active": materials(store.get_active_branch_key(GetActiveBranchKeyInput(branch_key_identifier=args[0])).branch_key_materials)}
        if len(args) > 1:
            got = store.get_branch_key_version(GetBranchKeyVersionInput(branch_key_identifier=args[0], branch_key_version=args[1]))
            out["version"] = materials(got.branch_key_materials)
        beacon = store.get_beacon_key(GetBeaconKeyInput(branch_key_identifier=args[0])).beacon_key_materials
        out["beacon"] = bytes(beacon.beacon_key).hex()
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
