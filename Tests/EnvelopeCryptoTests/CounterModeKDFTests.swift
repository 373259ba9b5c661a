import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

/// NIST SP 800-108 counter mode with HMAC, as the Material Providers Library uses it (32-bit
/// counter before the fixed input, 0x00 separator, 32-bit length in bits). The expected outputs
/// come from an independent implementation: pyca/cryptography 50.0.2's `KBKDFHMAC` (`Mode.CounterMode`,
/// `rlen=4`, `llen=4`, `CounterLocation.BeforeFixed`).
@Suite("Counter-mode KDF (SP 800-108)")
struct CounterModeKDFTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let hash: HashFunction
        let key: [UInt8]
        let label: [UInt8]
        let context: [UInt8]
        let expected: String
        var testDescription: String { "HMAC-\(hash), \(expected.count / 2) bytes" }
    }

    static let cases: [Case] = [
        Case(hash: .sha256, key: Array(0..<32), label: Array("aws-kms-hierarchy".utf8), context: Array(100..<116),
             expected: "158fc6a614fd99d6004e1fe18a50b033eebdf21f70d63f2b8af9a1def888d927"),
        Case(hash: .sha384, key: Array(0..<48), label: Array("ecdh-key-derivation".utf8), context: Array(7..<39),
             expected: "8cf99fb8fb86e0ff5527eb4536c31db52f1bd2039c248a95182ae8f6b9644bf1ab9bc6c47175600388b5844d70acb0662107cd65577641e1a3bfa8009e320320"),
        // Three blocks, so the counter is exercised past 1.
        Case(hash: .sha256, key: [UInt8](repeating: 0x0b, count: 20), label: Array("L".utf8), context: Array("C".utf8),
             expected: "8241efb4159c6c78a8ee14ff483bccb532d2cd6cf1095fe44010df5ada77e1672d6e8f24a1b22208a6d9650a0b39c42d83baf09892898123a089861129f896660f5c1b873da3bc1831ff592bfc93a882"),
    ]

    @Test("known answers", arguments: cases)
    func knownAnswer(_ c: Case) throws {
        let out = try CounterModeKDF.deriveKey(hash: c.hash, key: try SecureBytes(copying: c.key), label: c.label,
                                               context: c.context, length: c.expected.count / 2)
        #expect(hexString(out.withUnsafeBytes { Array($0) }) == c.expected)
    }

    @Test("a pooled context keeps nothing of an earlier derivation (key, label, context)")
    func pooledReuse() throws {
        let first = Self.cases[0], other = Self.cases[2] // both HMAC-SHA-256: they share the pool
        for c in [first, other, first, other, first] {
            let out = try CounterModeKDF.deriveKey(hash: c.hash, key: try SecureBytes(copying: c.key), label: c.label,
                                                   context: c.context, length: c.expected.count / 2)
            #expect(hexString(out.withUnsafeBytes { Array($0) }) == c.expected)
        }
    }

    @Test("an output length out of range is refused")
    func lengthRange() throws {
        let key = try SecureBytes(copying: [UInt8](repeating: 1, count: 32))
        #expect(throws: CryptoError.self) { try CounterModeKDF.deriveKey(hash: .sha256, key: key, label: [1], context: [2], length: 0) }
        #expect(throws: CryptoError.self) { try CounterModeKDF.deriveKey(hash: .sha256, key: key, label: [1], context: [2], length: 1025) }
    }
}

/// A prepared key gives exactly the bytes of OpenSSL's KBKDF.
@Suite("Counter-mode KDF, prepared key")
struct CounterModeKDFPreparedKeyTests {
    @Test("known answers (one and three blocks, HMAC-SHA-256 and HMAC-SHA-384)")
    func knownAnswers() throws {
        for c in CounterModeKDFTests.cases {
            let key = try CounterModeKDF.PreparedKey(hash: c.hash, key: try SecureBytes(copying: c.key))
            let out = try c.context.withUnsafeBytes { try key.deriveKey(label: c.label, context: $0, length: c.expected.count / 2) }
            #expect(hexString(out.withUnsafeBytes { Array($0) }) == c.expected)
        }
    }

    @Test("the same bytes as OpenSSL's KBKDF for key, context and output lengths around the block sizes",
          arguments: [HashFunction.sha256, .sha384])
    func matchesOpenSSL(hash: HashFunction) throws {
        for keyLength in [1, 32, 64, 65, 100, 128, 129] {
            let key = try SecureBytes(copying: RandomBytes.array(count: keyLength))
            let prepared = try CounterModeKDF.PreparedKey(hash: hash, key: key)
            for (contextLength, length) in [(16, 32), (1, 1), (0, 31), (55, 33), (200, 64), (16, 100)] {
                let label = Array("aws-kms-hierarchy".utf8)
                let context = RandomBytes.array(count: contextLength)
                let mine = try context.withUnsafeBytes { try prepared.deriveKey(label: label, context: $0, length: length) }
                // OpenSSL's path runs an empty context on a context of its own; both must agree.
                let theirs = try CounterModeKDF.deriveKey(hash: hash, key: key, label: label, context: context, length: length)
                #expect(mine == theirs, "HMAC-\(hash), key \(keyLength), context \(contextLength), \(length) bytes")
                // Deriving again gives the same bytes: the keyed context is duplicated, never used up.
                let again = try context.withUnsafeBytes { try prepared.deriveKey(label: label, context: $0, length: length) }
                #expect(again == mine)
            }
        }
    }

    @Test("concurrent derivations from one prepared key give each caller its own right answer")
    func concurrentDerivations() async throws {
        let key = try SecureBytes(copying: RandomBytes.array(count: 32))
        let prepared = try CounterModeKDF.PreparedKey(hash: .sha256, key: key)
        let label = Array("aws-kms-hierarchy".utf8)
        let contexts = (0..<64).map { _ in RandomBytes.array(count: 16) }
        let expected = try contexts.map { try CounterModeKDF.deriveKey(hash: .sha256, key: key, label: label, context: $0, length: 32) }
        let derived = try await withThrowingTaskGroup(of: (Int, SecureBytes).self) { group in
            for (i, context) in contexts.enumerated() {
                group.addTask { (i, try context.withUnsafeBytes { try prepared.deriveKey(label: label, context: $0, length: 32) }) }
            }
            var results = [Int: SecureBytes]()
            for try await (i, bytes) in group { results[i] = bytes }
            return results
        }
        for i in contexts.indices { #expect(derived[i] == expected[i]) }
    }

    @Test("an empty key or an output length out of range is refused")
    func refused() throws {
        #expect(throws: CryptoError.self) { try CounterModeKDF.PreparedKey(hash: .sha256, key: try SecureBytes(copying: [UInt8]())) }
        let key = try CounterModeKDF.PreparedKey(hash: .sha256, key: try SecureBytes(copying: [UInt8](repeating: 1, count: 32)))
        #expect(throws: CryptoError.self) { try [2].withUnsafeBytes { try key.deriveKey(label: [1], context: $0, length: 0) } }
        #expect(throws: CryptoError.self) { try [2].withUnsafeBytes { try key.deriveKey(label: [1], context: $0, length: 1025) } }
    }
}
