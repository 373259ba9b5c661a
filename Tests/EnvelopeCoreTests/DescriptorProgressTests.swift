#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import EnvelopeCore

/// Collects the counts a progress callback is given (from pipeline threads).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int64] = []

    func record(_ count: Int64) { lock.withLock { counts.append(count) } }
    var values: [Int64] { lock.withLock { counts } }
}

@Suite("Descriptor APIs: progress callback")
struct DescriptorProgressTests {
    /// Checks the reports: at least one, never decreasing, the last equal to `total`, and at
    /// most one per batch (plus the final empty batch).
    static func check(_ values: [Int64], total: Int, batches: Int) {
        #expect(!values.isEmpty, "progress was never reported")
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "progress went backwards: \(values)")
        #expect(values.last == Int64(total), "the last report \(values.last ?? -1) is not the input size \(total)")
        #expect(values.count <= batches + 2, "\(values.count) reports for about \(batches) batches")
    }

    @Test("encrypt and decrypt report cumulative input bytes ending at the input size",
          arguments: [(AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, 4096, (5 << 20) + 123),
                      (AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, 65536, 3 << 20),
                      (AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, 20 << 20, (20 << 20) + 5),
                      (AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, 4096, 0)],
          [1, 2])
    func reports(shape: (AlgorithmSuite, Int, Int), jobs: Int) async throws {
        let (suite, frameLength, length) = shape
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plaintext = Fixtures.plaintext(length, seed: 5)
        let plain = dir.appendingPathComponent("plain"), enc = dir.appendingPathComponent("enc"), dec = dir.appendingPathComponent("dec")
        try Data(plaintext).write(to: plain)
        let client = try EnvelopeClient(concurrency: jobs)
        let keyring = try Fixtures.aesKeyring()
        let batches = length / Swift.max(ParallelBody.batchBytes, frameLength) + 1

        let encryptLog = ProgressLog()
        var input = try DescriptorTests.openFile(plain, write: false), output = try DescriptorTests.openFile(enc, write: true)
        _ = try await client.encrypt(from: input, to: output, keyring: keyring, suite: suite,
                                     frameLength: frameLength, progress: { encryptLog.record($0) })
        try input.close(); try output.close()
        Self.check(encryptLog.values, total: length, batches: Swift.max(batches, length / frameLength + 1))

        let messageSize = try #require(try FileManager.default.attributesOfItem(atPath: enc.path)[.size] as? Int)
        let decryptLog = ProgressLog()
        input = try DescriptorTests.openFile(enc, write: false); output = try DescriptorTests.openFile(dec, write: true)
        _ = try await client.decrypt(from: input, to: output, keyring: keyring, progress: { decryptLog.record($0) })
        try input.close(); try output.close()
        Self.check(decryptLog.values, total: messageSize, batches: messageSize / (1 << 20) + batches + 1)
        #expect([UInt8](try Data(contentsOf: dec)) == plaintext)
    }
}
