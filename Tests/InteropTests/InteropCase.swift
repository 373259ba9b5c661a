import EnvelopeCore

/// One message to exchange with the Python ESDK: suite, frame length, plaintext, encryption context.
struct InteropCase: Sendable, CustomStringConvertible {
    let suite: AlgorithmSuite
    /// Frame length; 0 asks the Python peer for a non-framed message (decrypt-only for us).
    let frameLength: Int
    let plaintextLength: Int
    let context: EncryptionContext

    var description: String {
        "suite 0x\(suite.idHex) frame \(frameLength) plaintext \(plaintextLength) bytes context \(context.isEmpty ? "empty" : "\(context.count) pairs")"
    }

    /// A deterministic plaintext for this case (the bytes do not matter, their round trip does).
    var plaintext: [UInt8] {
        (0..<plaintextLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ plaintextLength) }
    }

    /// The commitment policy we (and the peer) encrypt under: legacy suites need forbid-encrypt.
    var encryptPolicy: CommitmentPolicy { suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt }
    /// The strictest policy that still decrypts this suite.
    var decryptPolicy: CommitmentPolicy { suite.isCommitting ? .requireEncryptRequireDecrypt : .requireEncryptAllowDecrypt }
}

/// The case matrices of the interop tests.
enum InteropMatrix {
    /// The two committing suites and two legacy ones (one signed, one with no KDF at all).
    static let mainSuites: [AlgorithmSuite] = [
        .aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384,
        .aes256GCMHKDFSHA384ECDSAP384, .aes256GCMNoKDF,
    ]

    /// A context with non-ASCII keys whose UTF-8 order differs from their UTF-16 order
    /// (U+FF61 sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 code units).
    static let richContext: EncryptionContext = [
        "purpose": "interop test",
        "tenant": "Ünïcødé ☃",
        "\u{FF61}": "halfwidth",
        "\u{1F600}": "emoji",
        "Z": "upper-case sorts first",
    ]
    static let contexts: [EncryptionContext] = [[:], richContext]

    /// Plaintext lengths: empty, exactly three 512-byte frames, and one that fits no frame length.
    static let plaintextLengths = [0, 1536, 5000]

    /// Frame lengths we write: 1 (one byte per frame), 512 (divides 1536 exactly, so the final
    /// frame is empty) and the default 4096.
    static let ourFrameLengths = [1, 512, 4096]

    /// Frame lengths the Python ESDK writes: it only accepts multiples of 128 and writes a
    /// non-framed message for 0.
    static let pythonFrameLengths = [0, 128, 512, 4096]

    /// Cases for one key: the full matrix for AES-256, a smaller one for the other keys
    /// (what differs between keys is only the data-key wrapping), plus every suite once for AES-256.
    static func cases(for kind: InteropKeyKind, frameLengths: [Int]) -> [InteropCase] {
        var cases: [InteropCase] = []
        if kind == .aes256 {
            for suite in mainSuites {
                for frameLength in frameLengths {
                    for length in plaintextLengths {
                        for context in contexts {
                            cases.append(InteropCase(suite: suite, frameLength: frameLength, plaintextLength: length, context: context))
                        }
                    }
                }
            }
            for suite in AlgorithmSuite.all where !mainSuites.contains(suite) {
                cases.append(InteropCase(suite: suite, frameLength: 512, plaintextLength: 1536, context: richContext))
                cases.append(InteropCase(suite: suite, frameLength: 4096, plaintextLength: 0, context: [:]))
            }
        } else {
            for suite in mainSuites {
                cases.append(InteropCase(suite: suite, frameLength: 512, plaintextLength: 1536, context: richContext))
                cases.append(InteropCase(suite: suite, frameLength: 4096, plaintextLength: 0, context: [:]))
            }
        }
        return cases
    }
}

extension CommitmentPolicy {
    /// The policy's name in the peer (the same spelling as the ESDK CLI and ours).
    var peerName: String { rawValue }
}

extension EncryptionContext {
    /// The context without the SDK's reserved `aws-crypto-public-key` pair (signed suites add it).
    var withoutPublicKey: EncryptionContext { filter { $0.key != "aws-crypto-public-key" } }
}

extension Dictionary where Key == String, Value == String {
    /// A context the peer reported, without the SDK's reserved public-key pair.
    var withoutPublicKey: EncryptionContext { EncryptionContext(self).withoutPublicKey }
}
