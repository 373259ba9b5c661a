#!/usr/bin/env python3
"""Long-lived peer of the differential fuzzer (Fuzz/Sources/FuzzDiff): the official AWS Encryption
SDK for Python encrypts base messages and decrypts mutants, many per process start.

  esdk_worker.py AES-KEY-HEX RSA-PRIVATE-PEM-FILE NAMESPACE AES-NAME RSA-NAME

Both keys are raw master keys (AES-256-GCM; RSA OAEP-SHA256), built by Tests/Interop/esdk_peer.py.
Decrypt tries both keys, with the commitment policy REQUIRE_ENCRYPT_ALLOW_DECRYPT and no EDK limit,
the settings FuzzDiff gives EnvelopeKit.

Protocol on stdin/stdout, binary, one request at a time:
  request  = op (1 byte) | length (4 bytes, big-endian) | payload
    op 'D': payload = a message to decrypt
    op 'R': the same, with the RSA key alone (FuzzDiff asks this to explain a disagreement)
    op 'E': payload = JSON {"suite": 0x0578, "frame_length": N, "plaintext_hex": ..., "context": {...},
                            "keys": ["aes"] | ["rsa"] | ["aes", "rsa"]}
  response = status (1 byte: 1 success, 0 failure) | length (4 bytes) | payload
    success: the plaintext (D) or the message (E); failure: the exception's class name (UTF-8).
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Interop"))

import aws_encryption_sdk  # noqa: E402
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy  # noqa: E402

import esdk_peer  # noqa: E402  (also silences the ESDK's logger)


def read_exact(stream, count):
    data = stream.read(count)
    if data is None or len(data) != count:
        return None
    return data


def main(argv):
    aes_hex, rsa_pem, namespace, aes_name, rsa_name = argv
    keys = {
        "aes": {"type": "raw-aes", "key_hex": aes_hex, "namespace": namespace, "name": aes_name},
        "rsa": {"type": "raw-rsa", "pem_file": rsa_pem, "padding": "oaep-sha256", "namespace": namespace, "name": rsa_name},
    }

    def provider(names):
        return esdk_peer.build_key_provider({"keys": [keys[name] for name in names]})

    decrypt_provider = provider(["aes", "rsa"])
    rsa_only_provider = provider(["rsa"])
    decryptor = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    committing = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    legacy = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = read_exact(stdin, 5)
        if head is None:
            return 0
        op, length = head[:1], struct.unpack(">I", head[1:])[0]
        payload = read_exact(stdin, length)
        if payload is None:
            return 1
        try:
            if op in (b"D", b"R"):
                output, _ = decryptor.decrypt(source=payload, key_provider=decrypt_provider if op == b"D" else rsa_only_provider)
            elif op == b"E":
                job = json.loads(payload)
                suite = Algorithm.get_by_id(int(job["suite"]))
                client = committing if suite.is_committing() else legacy
                output, _ = client.encrypt(
                    source=bytes.fromhex(job["plaintext_hex"]),
                    key_provider=provider(job["keys"]),
                    encryption_context=job.get("context") or {},
                    algorithm=suite,
                    frame_length=int(job["frame_length"]),
                )
            else:
                raise ValueError("unknown op %r" % op)
            status = 1
        except Exception as error:  # every failure is a verdict; its class name goes back for the report
            status, output = 0, type(error).__name__.encode("utf-8")
        stdout.write(bytes([status]) + struct.pack(">I", len(output)) + output)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
