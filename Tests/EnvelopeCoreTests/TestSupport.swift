import Foundation
import EnvelopeCrypto
@testable import EnvelopeCore

enum Fixtures {
    static func aesKeyring(bits: Int = 256, namespace: String = "test-ns", name: String = "test-key", seed: UInt8 = 7) throws -> RawAESKeyring {
        let key = try SecureBytes(copying: (0..<(bits / 8)).map { UInt8($0) &+ seed })
        return try RawAESKeyring(keyNamespace: namespace, keyName: name, wrappingKey: key)
    }

    /// One RSA key per process (generation is slow in debug builds).
    static let rsaKey: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)

    static func rsaKeyring(padding: RSAPadding = .oaepSHA256, name: String = "rsa-key") throws -> RawRSAKeyring {
        try RawRSAKeyring(keyNamespace: "rsa-ns", keyName: name, padding: padding, publicKey: rsaKey.publicKey, privateKey: rsaKey)
    }

    static func plaintext(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var x = seed &* 2654435761
        return (0..<count).map { _ in
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            return UInt8(truncatingIfNeeded: x)
        }
    }
}

/// Expects `body` to throw an ``EnvelopeError`` with `code` (through the shared ``caughtError(_:sourceLocation:_:)``).
func expectEnvelopeError(_ code: EnvelopeError.Code, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> EnvelopeError? {
    let error = await caughtError(EnvelopeError.self, sourceLocation: sourceLocation, body)
    if let error { #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation) }
    return error
}

import Testing
import EnvelopeTestSupport

/// A body read callback (``BodyRead``) over bytes in memory, from `offset`, at most `maxRead`
/// bytes per call.
final class MemoryReader {
    private let bytes: [UInt8]
    private var offset: Int
    private let maxRead: Int

    init(_ bytes: [UInt8], from offset: Int = 0, maxRead: Int = .max) {
        self.bytes = bytes
        self.offset = offset
        self.maxRead = maxRead
    }

    func read(_ target: UnsafeMutableRawBufferPointer) -> Int {
        let n = Swift.min(target.count, bytes.count - offset, maxRead)
        if n > 0 { bytes.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) } }
        offset += n
        return n
    }
}
