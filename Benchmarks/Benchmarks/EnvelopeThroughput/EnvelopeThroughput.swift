// Throughput, allocations and peak resident memory of EnvelopeCore (issue 7).
//
// encrypt/decrypt × frame length {4 KiB, 64 KiB, 1 MiB} × suite {0x0478, 0x0578} ×
// message {1 KiB, 1 MiB (one-shot, in memory), 256 MiB (file to file)} × jobs {1, all cores}.
// Files live in $ENVELOPE_BENCH_DIR (default: /dev/shm when present, else the temporary directory).
import Benchmark
import Foundation
import EnvelopeCore
import EnvelopeCrypto

private let KiB = 1024
private let MiB = 1024 * 1024

private let frameLengths = [4 * KiB, 64 * KiB, MiB]
private let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384]
private let jobCounts = Array(Set([1, EnvelopeClient.availableCores])).sorted()

private let keyring: RawAESKeyring = {
    let key = try! SecureBytes(copying: (0..<32).map { UInt8($0) })
    return try! RawAESKeyring(keyNamespace: "bench", keyName: "bench-key", wrappingKey: key)
}()

private let benchDirectory: URL = {
    if let dir = ProcessInfo.processInfo.environment["ENVELOPE_BENCH_DIR"] { return URL(fileURLWithPath: dir) }
    if FileManager.default.fileExists(atPath: "/dev/shm") { return URL(fileURLWithPath: "/dev/shm") }
    return FileManager.default.temporaryDirectory
}()

private func pseudoRandom(_ count: Int) -> [UInt8] {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
        for i in 0..<count {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            buffer[i] = UInt8(truncatingIfNeeded: x)
        }
        n = count
    }
}

private func label(_ size: Int) -> String { size >= MiB ? "\(size / MiB) MiB" : "\(size / KiB) KiB" }

private func suiteLabel(_ suite: AlgorithmSuite) -> String { suite.idHex }

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident]

    // In memory: 1 KiB and 1 MiB messages, one-shot API.
    for size in [KiB, MiB] {
        let plaintext = pseudoRandom(size)
        for suite in suites {
            for frameLength in frameLengths {
                for jobs in jobCounts {
                    let client = try! EnvelopeClient(concurrency: jobs)  // jobs ≥ 1 by construction
                    let name = "\(suiteLabel(suite)) frame \(label(frameLength)) \(label(size)) jobs \(jobs)"
                    let configuration = Benchmark.Configuration(metrics: metrics, scalingFactor: .one,
                                                                maxDuration: .seconds(2), maxIterations: size >= MiB ? 200 : 5000)
                    Benchmark("encrypt \(name)", configuration: configuration) { benchmark in
                        for _ in benchmark.scaledIterations {
                            blackHole(try await client.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength))
                        }
                    }
                    Benchmark("decrypt \(name)", configuration: configuration) { benchmark in
                        // Prepared before the measurement starts; the measured loop only decrypts.
                        let message = try await client.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength).ciphertext
                        benchmark.startMeasurement()
                        for _ in benchmark.scaledIterations {
                            blackHole(try await client.decrypt(message, keyring: keyring))
                        }
                        benchmark.stopMeasurement()
                    }
                }
            }
        }
    }

    // File to file: 256 MiB messages through the pipelined file helpers (bounded memory).
    let bigSize = 256 * MiB
    let plainFile = benchDirectory.appendingPathComponent("envelope-bench-plain-256m")
    for suite in suites {
        for frameLength in frameLengths {
            for jobs in jobCounts {
                let client = try! EnvelopeClient(concurrency: jobs)  // jobs ≥ 1 by construction
                let name = "\(suiteLabel(suite)) frame \(label(frameLength)) \(label(bigSize)) jobs \(jobs) file"
                let cipherFile = benchDirectory.appendingPathComponent("envelope-bench-\(suite.id)-\(frameLength)-\(jobs).enc")
                let outFile = benchDirectory.appendingPathComponent("envelope-bench-\(suite.id)-\(frameLength)-\(jobs).out")
                let configuration = Benchmark.Configuration(metrics: metrics, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 5)
                let prepare: @Sendable () async throws -> Void = {
                    if !FileManager.default.fileExists(atPath: plainFile.path) {
                        try Data(pseudoRandom(bigSize)).write(to: plainFile)
                    }
                }
                Benchmark("encrypt \(name)", configuration: configuration) { benchmark in
                    try await prepare()
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        blackHole(try await client.encryptFile(at: plainFile, to: cipherFile, keyring: keyring, suite: suite,
                                                               frameLength: frameLength, overwrite: true))
                    }
                    benchmark.stopMeasurement()
                    try? FileManager.default.removeItem(at: cipherFile)
                }
                Benchmark("decrypt \(name)", configuration: configuration) { benchmark in
                    try await prepare()
                    _ = try await client.encryptFile(at: plainFile, to: cipherFile, keyring: keyring, suite: suite,
                                                     frameLength: frameLength, overwrite: true)
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        blackHole(try await client.decryptFile(at: cipherFile, to: outFile, keyring: keyring, overwrite: true))
                    }
                    benchmark.stopMeasurement()
                    try? FileManager.default.removeItem(at: cipherFile)
                    try? FileManager.default.removeItem(at: outFile)
                }
            }
        }
    }
}
