#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Base64 armor, as aws-encryption-cli's `--encode` and `--decode`: standard base64 (RFC 4648,
/// `+/` and `=` padding) with no line breaks when writing; whitespace (line breaks) ignored when
/// reading.
///
/// The engine reads and writes descriptors, so armor sits on a pipe: a relay thread encodes what
/// the engine writes into the pipe, or decodes the input into the pipe the engine reads. Memory
/// stays bounded by one chunk; a relay never blocks the engine (a failed relay keeps draining).
enum Armor {
    /// Bytes moved per read.
    static let chunkSize = 64 * 1024

    /// Whether `prefix` (the first bytes of an input) is base64 text of an ESDK message: version
    /// 1 (0x01 0x80) encodes to `AY`, version 2 (0x02 …) to `Ag`. Leading whitespace is skipped.
    /// Binary messages start with 0x01 or 0x02, never with a letter, so the test cannot mistake one.
    static func looksArmored(_ prefix: some Collection<UInt8>) -> Bool {
        let text = prefix.drop { isWhitespace($0) }.prefix(2)
        return Array(text) == Array("AY".utf8) || Array(text) == Array("Ag".utf8)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// The first bytes of a regular file, without moving its offset; nil when `descriptor` cannot
    /// be read at an offset (a pipe, a terminal).
    static func peek(_ descriptor: Int32, count: Int = 64) -> [UInt8]? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        guard n >= 0 else { return nil }
        return Array(bytes.prefix(n))
    }
}

extension Armor {
    /// How decrypt treats base64 input.
    enum Decoding: Sendable {
        /// `--decode`: the input must be base64.
        case always
        /// Without `--decode`: base64 input is recognised by its first bytes and decoded.
        case automatic
    }

    /// Runs `body` (the engine) with the descriptor to write the message to: `output` itself, or
    /// with `encode` a pipe whose bytes reach `output` base64-encoded.
    static func writing<R>(encode: Bool, to output: Int32, _ body: (Int32) async throws -> R) async throws -> R {
        guard encode else { return try await body(output) }
        let relay = try ArmorRelay(.encode(destination: output))
        let result: R
        do {
            result = try await body(relay.engineDescriptor)
        } catch {
            try? relay.finishEncoding()
            throw error
        }
        try relay.finishEncoding()
        return result
    }

    /// Runs `body` (the engine) with the descriptor to read the message from: `input` itself, or
    /// a pipe carrying its base64-decoded bytes. `name` names the input in the `--verbose` note.
    static func reading<R>(_ decoding: Decoding, from input: Int32, name: String, _ body: (Int32) async throws -> R) async throws -> R {
        var always = decoding == .always
        if !always, let prefix = peek(input) {
            // A regular file: decided here, and an unarmored file is read directly.
            guard looksArmored(prefix) else { return try await body(input) }
            always = true
        }
        let relay = try ArmorRelay(.decode(source: input, always: always))
        let outcome: Result<R, any Error>
        do {
            outcome = .success(try await body(relay.engineDescriptor))
        } catch {
            outcome = .failure(error)
        }
        if let failure = relay.finishDecoding() { throw failure }
        if decoding == .automatic && relay.decoded {
            CLIVerbosity.log("\(name) is base64 (armored): decoded it before decrypting (--decode says so explicitly)")
        }
        return try outcome.get()
    }
}

/// Incremental base64 decoding: whitespace skipped, `=` only at the very end.
struct Base64StreamDecoder {
    private var pending: [UInt8] = []
    private var ended = false

    /// Decodes what `chunk` completes; throws on a byte that is not base64 or data after padding.
    mutating func decode(_ chunk: some Collection<UInt8>) throws(ArmorError) -> [UInt8] {
        for byte in chunk where !Armor.isWhitespace(byte) {
            guard !ended else { throw .dataAfterPadding }
            pending.append(byte)
            if byte == UInt8(ascii: "=") && pending.count % 4 == 0 { ended = true }
        }
        let complete = ended ? pending.count : pending.count - pending.count % 4
        guard complete > 0 else { return [] }
        guard let data = Data(base64Encoded: Data(pending[..<complete])) else { throw .notBase64 }
        pending.removeFirst(complete)
        return [UInt8](data)
    }

    /// Checks that nothing is left over (a length that is not a multiple of 4).
    func finish() throws(ArmorError) {
        guard pending.isEmpty else { throw .truncated }
    }
}

/// Why armored input could not be decoded.
enum ArmorError: Error, Sendable {
    case notBase64, dataAfterPadding, truncated

    var cliError: CLIError {
        let what = switch self {
        case .notBase64: "holds bytes that are not base64"
        case .dataAfterPadding: "goes on after the base64 padding (=)"
        case .truncated: "ends in the middle of a base64 group"
        }
        return CLIError(.dataError, "the base64 input \(what)", hint: "drop --decode if the input is a binary message; otherwise check that it was copied whole")
    }
}

/// One relay thread between a pipe and a descriptor; `finish` waits for it.
final class ArmorRelay: @unchecked Sendable {
    /// The descriptor the engine uses (the pipe end that is not the relay's).
    let engineDescriptor: Int32
    private let relayDescriptor: Int32
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopRequested = false
    private var engineEndOpen = true
    private var failure: CLIError?
    /// Whether the relay decoded base64 (decrypt in automatic mode).
    private(set) var decoded = false

    enum Mode {
        /// encrypt --encode: the engine writes the pipe; the relay encodes into `destination`.
        case encode(destination: Int32)
        /// decrypt: the relay reads `source` and writes the pipe the engine reads; with
        /// `always` false it decodes only input that ``Armor/looksArmored(_:)``.
        case decode(source: Int32, always: Bool)
    }

    init(_ mode: Mode) throws(CLIError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw CLIError(.ioError, "cannot create a pipe for base64: \(String(cString: strerror(errno)))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        switch mode {
        case .encode(let destination):
            engineDescriptor = fds[1]
            relayDescriptor = fds[0]
            start { self.encode(into: destination) }
        case .decode(let source, let always):
            engineDescriptor = fds[0]
            relayDescriptor = fds[1]
            start { self.decode(from: source, always: always) }
        }
    }

    private func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            body()
            self.done.signal()
        }
        thread.name = "envelope-armor"
        thread.start()
    }

    private var shouldStop: Bool { lock.withLock { stopRequested } }

    private func fail(_ error: CLIError) { lock.withLock { if failure == nil { failure = error } } }

    /// Reads up to a chunk; nil at end of input or on an error (recorded).
    private func readChunk(_ fd: Int32, into buffer: inout [UInt8], what: String) -> Int? {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { return n }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            fail(CLIError(.ioError, "reading \(what) failed: \(String(cString: strerror(errno)))"))
            return nil
        }
    }

    /// Encodes everything the engine writes; on a write failure keeps draining so the engine never blocks.
    private func encode(into destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: Armor.chunkSize)
        var carry: [UInt8] = []
        var writing = true
        func emit(_ bytes: [UInt8]) {
            guard writing, !bytes.isEmpty else { return }
            let code = StandardStreams.writeAll(Array(Data(bytes).base64EncodedData()), to: destination)
            if code != 0 {
                fail(CLIError(.ioError, "writing the base64 output failed: \(String(cString: strerror(code)))"))
                writing = false
            }
        }
        while let n = readChunk(relayDescriptor, into: &buffer, what: "the message for base64") {
            carry += buffer[..<n]
            let whole = carry.count - carry.count % 3
            emit(Array(carry[..<whole]))
            carry.removeFirst(whole)
        }
        emit(carry)
        close(relayDescriptor)
    }

    /// Feeds the engine the (decoded) input; stops early when asked or on a decoding error.
    private func decode(from source: Int32, always: Bool) {
        var buffer = [UInt8](repeating: 0, count: Armor.chunkSize)
        var decoder = Base64StreamDecoder()
        var mode: Bool? = always ? true : nil
        defer { close(relayDescriptor) }
        do throws(ArmorError) {
            while !shouldStop, let n = readChunk(source, into: &buffer, what: "the input") {
                let chunk = buffer[..<n]
                if mode == nil { mode = Armor.looksArmored(chunk) }
                let out = try mode == true ? decoder.decode(chunk) : Array(chunk)
                decoded = mode == true
                if !out.isEmpty, StandardStreams.writeAll(out, to: relayDescriptor) != 0 { return }
            }
            if mode == true && !shouldStop { try decoder.finish() }
        } catch {
            fail(error.cliError)
        }
    }

    /// Encode side, after the engine finished writing: closes the engine's end, waits for the
    /// relay to flush, and throws what went wrong on its side.
    func finishEncoding() throws(CLIError) {
        closeEngineEnd()
        done.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Decode side, after the engine finished (or failed): stops the relay, drains what it still
    /// writes so that it never blocks, waits for it. Returns the relay's own failure (a base64
    /// error explains an engine failure better than "truncated message").
    @discardableResult
    func finishDecoding() -> CLIError? {
        lock.withLock { stopRequested = true }
        var sink = [UInt8](repeating: 0, count: Armor.chunkSize)
        while true {
            let n = sink.withUnsafeMutableBytes { read(engineDescriptor, $0.baseAddress, $0.count) }
            if n > 0 || (n < 0 && errno == EINTR) { continue }
            break
        }
        done.wait()
        closeEngineEnd()
        return lock.withLock { failure }
    }

    private func closeEngineEnd() {
        lock.withLock {
            if engineEndOpen { close(engineDescriptor) }
            engineEndOpen = false
        }
    }
}
