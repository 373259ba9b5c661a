import EnvelopeCrypto

/// Random public values (IDs, tokens) from the EnvelopeCrypto CSPRNG.
enum RandomSource {
    static func bytes(_ count: Int) -> [UInt8] { RandomBytes.array(count: count) }
}
