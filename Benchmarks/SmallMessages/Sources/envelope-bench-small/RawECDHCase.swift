// `envelope-bench-small ecdh SECONDS`: 1 KiB messages of suite 0x0478 through the raw ECDH keyring
// (P-256, static key pairs), on one core, beside the raw-AES-key case of `single` for scale. Each
// message costs an ECDH agreement and a counter-mode KDF on encrypt and on decrypt.
import EnvelopeCore
import EnvelopeCrypto

func rawECDH(_ seconds: Double) async throws {
    let client = EnvelopeClient()
    let small = pseudoRandom(kib)
    let alice = try ECDHPrivateKey(generatingOn: .p256)
    let bob = try ECDHPrivateKey(generatingOn: .p256)
    let sender = try RawECDHKeyring(senderPrivateKey: alice, recipientPublicKey: bob.publicKey)
    let recipient = try RawECDHKeyring(senderPrivateKey: bob, recipientPublicKey: alice.publicKey)
    let message = try await client.encrypt(small, keyring: sender, encryptionContext: context, suite: committing).ciphertext
    emit("ecdh_p256_static_encrypt_per_s", try await rate(seconds) {
        try await client.encrypt(small, keyring: sender, encryptionContext: context, suite: committing).ciphertext.count
    })
    emit("ecdh_p256_static_decrypt_per_s", try await rate(seconds) {
        try await client.decrypt(message, keyring: recipient).plaintext.count
    })
    emit("raw_encrypt_per_s", try await rate(seconds) {
        try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing).ciphertext.count
    })
}
