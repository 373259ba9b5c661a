"""Encrypts or decrypts a file with the official AWS Encryption SDK for Python (streaming API).

    python_esdk.py encrypt|decrypt INPUT OUTPUT KEYFILE SUITE FRAME_LENGTH

Raw AES-256 wrapping key (namespace "bench", name "bench-key", as envelope-bench-file), so no
KMS is involved. SUITE is 0x0478 or 0x0578.
"""
import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider

CHUNK = 1 << 20


class BenchKeyProvider(RawMasterKeyProvider):
    provider_id = "bench"

    def __init__(self, **kwargs):  # pylint: disable=unused-argument
        self._key = b""

    def _get_raw_key(self, key_id):
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=self._key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


def main() -> None:
    mode, source, target, key_file, suite, frame = sys.argv[1:7]
    with open(key_file, "rb") as f:
        key = f.read()
    provider = BenchKeyProvider()
    provider._key = key  # pylint: disable=protected-access
    provider.add_master_key(b"bench-key")
    algorithm = {
        "0x0478": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        "0x0578": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    }[suite.lower()]
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    with open(source, "rb") as src, open(target, "wb") as dst:
        if mode == "encrypt":
            stream = client.stream(mode="e", source=src, key_provider=provider, algorithm=algorithm, frame_length=int(frame))
        else:
            stream = client.stream(mode="d", source=src, key_provider=provider)
        with stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                dst.write(chunk)


if __name__ == "__main__":
    main()
