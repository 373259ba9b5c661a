// libFuzzer target: the body engine's two decrypt paths over the same bytes, through public API:
// the one-shot in-memory decrypt (sequential) and the descriptor decrypt (the frame pipeline, two
// cores). Both must succeed with the same plaintext or both fail with an EnvelopeError.
import Foundation
import SystemPackage
import EnvelopeCore
import FuzzSupport

private let keyring = try! FuzzKeys.keyring()
private let sequential = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
private let pipelined = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt, concurrency: 2)
private let scratch = NSTemporaryDirectory() + "/envelope-fuzz-body-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FileManager.default.createFile(atPath: scratch + ".in", contents: Data(bytes))
    runBlocking {
        let oneShot: Result<[UInt8], any Error>
        do { oneShot = .success(try await sequential.decrypt(bytes, keyring: keyring).plaintext) } catch { oneShot = .failure(error) }
        let streamed: Result<[UInt8], any Error>
        do {
            let input = try FileDescriptor.open(scratch + ".in", .readOnly)
            let output = try FileDescriptor.open(scratch + ".out", .readWrite, options: [.create, .truncate], permissions: .ownerReadWrite)
            defer { try? input.close(); try? output.close() }
            _ = try await pipelined.decrypt(from: input, to: output, keyring: keyring)
            streamed = .success(try readAll(output))
        } catch { streamed = .failure(error) }
        requireAgreement(oneShot, streamed, ("sequential one-shot", "pipelined descriptor"))
    }
    return 0
}

/// The whole file behind `descriptor`, read from its start. Not `Data(contentsOf:)`: for an empty
/// file, swift-foundation on Linux (6.3) reads into a 4 KiB buffer it never frees, which
/// LeakSanitizer reported here for every message with an empty plaintext (issue 15).
private func readAll(_ descriptor: FileDescriptor) throws -> [UInt8] {
    _ = try descriptor.seek(offset: 0, from: .start)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }
        if count == 0 { return bytes }
        bytes += chunk[..<count]
    }
}

@_cdecl("FuzzBody_main")
public func fuzzBodyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc: argc, argv: argv) { data, size in fuzzBody(data ?? UnsafePointer(bitPattern: 1)!, size) }
}
