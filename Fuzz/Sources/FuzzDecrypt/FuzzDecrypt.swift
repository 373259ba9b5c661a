// libFuzzer target: the whole decrypt path (one-shot and streaming) with a fixed raw AES key.
// Set ENVELOPE_FUZZ_WRITE_SEEDS=DIR to write seed messages under that key into DIR and exit
// (ENVELOPE_FUZZ_WRITE_SIGNED_SEEDS=DIR: the small signed multi-frame seeds of Fuzz/corpus/decrypt-signed).
import Foundation
import EnvelopeCore
import FuzzSupport

private let keyring = try! FuzzKeys.keyring()
private let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let directory = ProcessInfo.processInfo.environment["ENVELOPE_FUZZ_WRITE_SEEDS"] {
        let count = runBlocking { () -> Int in
            do { return try await writeDecryptSeeds(to: directory) } catch { fatalError("writing seeds failed: \(error)") }
        }
        print("wrote \(count) seed messages to \(directory)")
        exit(0)
    }
    if let directory = ProcessInfo.processInfo.environment["ENVELOPE_FUZZ_WRITE_SIGNED_SEEDS"] {
        let count = runBlocking { () -> Int in
            do { return try await writeSignedSeeds(to: directory) } catch { fatalError("writing signed seeds failed: \(error)") }
        }
        print("wrote \(count) signed seed messages to \(directory)")
        exit(0)
    }
    return 0
}

/// Feeds the message to a decrypting stream in pieces of 1, 7, 64... bytes (chosen from the size).
private struct Pieces: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let piece: Int
    struct Iterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let piece: Int
        var offset = 0
        mutating func next() async -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + piece, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }
    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes, piece: piece) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecrypt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (oneShot, streamed) = runBlocking { () -> (Result<[UInt8], any Error>, Result<[UInt8], any Error>) in
        let a: Result<[UInt8], any Error>
        do { a = .success(try await client.decrypt(bytes, keyring: keyring).plaintext) } catch { a = .failure(error) }
        let b: Result<[UInt8], any Error>
        do {
            var out: [UInt8] = []
            for try await chunk in client.decryptStream(Pieces(bytes: bytes, piece: [1, 7, 64, 4096][size % 4]), keyring: keyring) {
                out += chunk
            }
            b = .success(out)
        } catch { b = .failure(error) }
        return (a, b)
    }
    requireAgreement(oneShot, streamed, ("one-shot", "streaming"))
    return 0
}

@_cdecl("FuzzDecrypt_main")
public func fuzzDecryptMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc: argc, argv: argv) { data, size in fuzzDecrypt(data ?? UnsafePointer(bitPattern: 1)!, size) }
}
