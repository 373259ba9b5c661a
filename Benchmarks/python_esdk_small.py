"""1 KiB messages per second with the official AWS Encryption SDK for Python (one-shot API).

    python_esdk_small.py SECONDS

Same shape as envelope-bench-small's raw-key case: suite 0x0478, a raw AES-256 wrapping key
(namespace "bench", name "bench-key"), encryption context {"purpose": "bench-small"}, 1 KiB of
plaintext, timed by process CPU time like the Swift and OpenSSL one-core figures. Prints "python_encrypt_per_s N" and "python_decrypt_per_s N".
"""
import sys
import time

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider

KEY = bytes(range(32))
CONTEXT = {"purpose": "bench-small"}


class BenchKeyProvider(RawMasterKeyProvider):
    provider_id = "bench"

    def _get_raw_key(self, key_id):
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=KEY,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


def rate(seconds, body):
    for _ in range(20):
        body()
    count = 0
    start = time.process_time()
    while True:
        for _ in range(16):
            body()
        count += 16
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return count / elapsed


def main() -> None:
    seconds = float(sys.argv[1])
    provider = BenchKeyProvider()
    provider.add_master_key(b"bench-key")
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    plaintext = bytes((i * 7) & 0xFF for i in range(1024))
    algorithm = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY

    def encrypt():
        return client.encrypt(source=plaintext, key_provider=provider, encryption_context=CONTEXT, algorithm=algorithm)[0]

    message = encrypt()

    def decrypt():
        return client.decrypt(source=message, key_provider=provider)[0]

    print(f"python_encrypt_per_s {rate(seconds, encrypt)}", flush=True)
    print(f"python_decrypt_per_s {rate(seconds, decrypt)}", flush=True)


if __name__ == "__main__":
    main()
