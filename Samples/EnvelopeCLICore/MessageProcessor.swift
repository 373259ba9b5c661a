#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCore
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation
import SystemPackage

/// Where the bytes of one message go: a file that appears only when complete, stdout, or a
/// device or FIFO opened and written directly (never created, replaced or removed).
final class OutputSink {
    private let target: OutputTarget
    private let overwrite: Bool
    private var file: AtomicOutputFile?
    private var deviceDescriptor: Int32?
    private var stream: StreamedOutput?

    init(target: OutputTarget, overwrite: Bool) {
        self.target = target
        self.overwrite = overwrite
    }

    deinit { closeStream() }

    /// Opens the temporary file (files only) and returns the descriptor to write to; called
    /// before the first byte is produced, so that an output that cannot be created fails before
    /// any plaintext is released.
    func open() throws(CLIError) -> Int32 {
        if let stream { return stream.descriptor }
        switch target {
        case .stdout:
            let created = try StreamedOutput(destination: STDOUT_FILENO, name: "standard output")
            stream = created
            return created.descriptor
        case .device(let path):
            // No O_CREAT, no O_TRUNC: the node is written as it is, never replaced.
            let fd = openExistingForWriting(path)
            guard fd >= 0 else {
                throw CLIError(.cannotCreate, "cannot open the output \(path) for writing: \(String(cString: strerror(errno)))")
            }
            deviceDescriptor = fd
            do {
                let created = try StreamedOutput(destination: fd, name: path)
                stream = created
                return created.descriptor
            } catch {
                closeStream()
                throw error
            }
        case .file(let path):
            if let file { return file.descriptor }
            try JobPlanner.createParentDirectory(of: path)
            let created = try AtomicOutputFile(path: path, overwrite: overwrite)
            file = created
            return created.descriptor
        }
    }

    /// Makes a file output appear (flushed, renamed into place); for stdout or a device, waits
    /// until every byte went out.
    func commit() throws(CLIError) {
        switch target {
        case .stdout, .device:
            _ = try open()
            let code = stream?.finish() ?? 0
            closeStream()
            guard code == 0 else {
                let name = target == .stdout ? "standard output" : target.display
                throw CLIError(.ioError, "writing \(name) failed: \(String(cString: strerror(code)))",
                               hint: target == .stdout ? "check where standard output goes (a full disk, a closed pipe)" : nil)
            }
        case .file:
            _ = try open()
            try file!.commit()
        }
    }

    func discard() {
        file?.discard()
        closeStream()
    }

    private func closeStream() {
        _ = stream?.finish()
        stream = nil
        if let fd = deviceDescriptor { close(fd) }
        deviceDescriptor = nil
    }

    /// Whether bytes of this message may have reached the reader before it failed.
    var streams: Bool { target.isStream }
}

/// Opens an existing node for writing (no O_CREAT, no O_TRUNC).
private func openExistingForWriting(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
}

/// The input of one message as an open descriptor: stdin, or a file opened for reading.
final class InputDescriptor {
    let descriptor: Int32
    private let owned: Bool

    init(_ source: InputSource) throws(CLIError) {
        switch source {
        case .stdin:
            descriptor = STDIN_FILENO
            owned = false
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw CLIError(.noInput, "the input \(path) cannot be read: \(String(cString: strerror(errno)))", hint: "check the path given to -i")
            }
            descriptor = fd
            owned = true
        }
    }

    deinit { if owned { close(descriptor) } }
}

/// Turns one message's cumulative progress reports into additions to the shared meter.
final class MessageProgress: @unchecked Sendable {
    private let meter: ProgressMeter
    private let lock = NSLock()
    private var reported: Int64 = 0

    init(meter: ProgressMeter) { self.meter = meter }

    /// Called by the pipeline with the bytes consumed so far.
    func update(_ consumed: Int64) {
        let delta = lock.withLock { () -> Int64 in
            let d = consumed - reported
            if d > 0 { reported = consumed }
            return d
        }
        if delta > 0 { meter.add(Int(delta)) }
    }
}

/// What encrypts: the standard client with a materials manager, or the encrypt-only client.
enum EncryptionEngine: Sendable {
    case standard(EnvelopeClient, any EncryptionMaterialsManager)
    case encryptOnly(EncryptOnlyClient)

    /// Encrypts from descriptor to descriptor through the parallel frame pipeline (the
    /// client's `concurrency` cores per message).
    func encrypt(from input: Int32, to output: Int32, context: EncryptionContext, suite: AlgorithmSuite?, frameLength: Int,
                 progress: (@Sendable (Int64) -> Void)?) async throws -> EncryptResult {
        switch self {
        case .standard(let client, let manager):
            return try await client.encrypt(from: FileDescriptor(rawValue: input), to: FileDescriptor(rawValue: output), materialsManager: manager,
                                            encryptionContext: context, suite: suite, frameLength: frameLength, progress: progress)
        case .encryptOnly(let client):
            return try await client.encrypt(from: FileDescriptor(rawValue: input), to: FileDescriptor(rawValue: output), encryptionContext: context,
                                            suite: suite, frameLength: frameLength, progress: progress)
        }
    }

    /// The encrypt-only client for the `-w key=…` SPECs: it mirrors a key policy with only
    /// kms:Encrypt, kms:GenerateDataKey* and kms:DescribeKey (``KMSPermissions/encryptOnly``).
    static func encryptOnlyClient(builder: KeyringBuilder, policy: CommitmentPolicy, maxEncryptedDataKeys: Int?,
                                  concurrency: Int) throws(CLIError) -> EncryptOnlyClient {
        var keys: [KMSKeyIdentifier] = []
        var region: String?
        var profile: String?
        for spec in builder.specs {
            guard case .kms(let specKeys, let specRegion, let specProfile) = spec.kind else {
                throw .usage("--encrypt-only works with KMS keys only, not -w \(spec.text)",
                             hint: "the encrypt-only client mirrors a KMS key policy; drop --encrypt-only for raw keys")
            }
            keys += specKeys
            region = region ?? specRegion
            profile = profile ?? specProfile
        }
        guard let backend = builder.backend, let generator = keys.first else {
            throw .usage("encrypt --encrypt-only needs -w key=ARN")
        }
        let transports = try KMSKeyringFactory.supplier(backend: backend, defaultRegion: region, profile: profile, principal: builder.principal)
        do {
            return try EncryptOnlyClient(generatorKey: EncryptOnlyKey(generator, permissions: .encryptOnly),
                                         additionalKeys: keys.dropFirst().map { EncryptOnlyKey($0, permissions: .encryptOnly) },
                                         transports: transports, commitmentPolicy: policy, maxEncryptedDataKeys: maxEncryptedDataKeys,
                                         concurrency: concurrency)
        } catch {
            throw CLIError.from(error, doing: "creating the encrypt-only client")
        }
    }
}

/// Encrypts or decrypts one message through the parallel frame pipeline: the client's
/// `concurrency` cores seal or open its frames, memory stays bounded by a few frame batches.
struct MessageProcessor: Sendable {
    let client: EnvelopeClient
    /// The shared meter of the progress bar; nil when no bar is drawn (no per-batch reports then).
    let meter: ProgressMeter?
    let overwrite: Bool
    /// encrypt `--encode`: write the message base64-encoded.
    var encode = false
    /// decrypt: `--decode`, or base64 recognised automatically.
    var decoding = Armor.Decoding.automatic
    /// `--buffer`: a decrypt to stdout goes to a temporary file first and is copied out only once
    /// the whole message verified.
    var bufferStdout = false

    private func progressReporter() -> (@Sendable (Int64) -> Void)? {
        guard let meter else { return nil }
        let progress = MessageProgress(meter: meter)
        return { progress.update($0) }
    }

    /// A failed message streamed to stdout or a device: the error says how many bytes went out.
    private static func withDiscardNotice(_ error: any Error, sink: OutputSink, doing action: String, job: MessageJob) -> any Error {
        guard sink.streams, StreamedOutput.written.bytes > 0 else { return error }
        var converted = CLIError.from(error, doing: action, names: (job.input.display, job.output.display))
        converted.message += StreamedOutput.discardNotice
        return converted
    }

    /// Encrypts `job`; returns its metadata record. A failed encrypt leaves no output file.
    func encrypt(_ job: MessageJob, engine: EncryptionEngine, context: EncryptionContext,
                 suite: AlgorithmSuite?, frameLength: Int) async throws -> JSONValue {
        let input = try InputDescriptor(job.input)
        let sink = OutputSink(target: job.output, overwrite: overwrite)
        let result: EncryptResult
        do {
            let output = try sink.open()
            result = try await Armor.writing(encode: encode, to: output) { output in
                try await engine.encrypt(from: input.descriptor, to: output, context: context, suite: suite,
                                         frameLength: frameLength, progress: progressReporter())
            }
            try sink.commit()
        } catch {
            sink.discard()
            throw Self.withDiscardNotice(error, sink: sink, doing: "encrypting \(job.input.display)", job: job)
        }
        return MetadataLog.record(mode: "encrypt", input: job.input.display, output: job.output.display, header: result.header)
    }

    /// Decrypts `job`; returns its metadata record. A failed decrypt leaves no output file.
    func decrypt(_ job: MessageJob, keyring: any DecryptionKeyring, requiredPairs: [String: String], requiredKeys: [String]) async throws -> JSONValue {
        let manager = ContextRequirementsMaterialsManager(underlying: DefaultMaterialsManager(decryptionKeyring: keyring),
                                                          requiredPairs: requiredPairs, requiredKeys: requiredKeys)
        let input = try InputDescriptor(job.input)
        let sink = OutputSink(target: job.output, overwrite: overwrite)
        let result: DecryptResult
        do {
            let output = try sink.open()
            result = try await Armor.reading(decoding, from: input.descriptor, name: job.input.display == "-" ? "standard input" : job.input.display) { input in
                if bufferStdout, case .stdout = job.output {
                    let held = try HeldOutput()
                    let result = try await client.decrypt(from: FileDescriptor(rawValue: input), to: FileDescriptor(rawValue: held.descriptor),
                                                          materialsManager: manager, encryptionContext: EncryptionContext(requiredPairs), progress: progressReporter())
                    try held.copy(to: output)
                    return result
                }
                return try await client.decrypt(from: FileDescriptor(rawValue: input), to: FileDescriptor(rawValue: output),
                                                materialsManager: manager, encryptionContext: EncryptionContext(requiredPairs), progress: progressReporter())
            }
            try sink.commit()
        } catch {
            sink.discard()
            throw Self.withDiscardNotice(error, sink: sink, doing: "decrypting \(job.input.display)", job: job)
        }
        return MetadataLog.record(mode: "decrypt", input: job.input.display, output: job.output.display, header: result.header,
                                  origin: result.dataKeyOrigin)
    }
}

/// Runs the messages of one command one after another (each on the client's `--jobs` cores),
/// with the progress bar and metadata log; a failed message does not stop the others of a
/// directory run.
struct JobRunner {
    let jobs: [MessageJob]
    let verb: String
    let quiet: Bool
    let metadata: MetadataLog?
    /// The plan of a directory run, for the summary line on stderr (nil: no summary).
    var plan: Plan? = nil

    /// The summary of a directory run: "envelope: encrypted 3 of 3 files under in; 1 skipped (symbolic link: 1)".
    private func printSummary(failed: Int) {
        guard let plan, plan.isDirectoryRun else { return }
        let done = verb == "encrypting" ? "encrypted" : "decrypted"
        var line = jobs.isEmpty ? "envelope: no files to \(verb.dropLast(3)) under the input directory"
                                : "envelope: \(done) \(jobs.count - failed) of \(jobs.count) file\(jobs.count == 1 ? "" : "s")"
        let skipped = plan.skippedSummary
        if !skipped.isEmpty { line += "; \(skipped)" }
        StandardStreams.printStderr(line + "\n")
    }

    /// `body` gets the shared meter when the progress bar is drawn, nil otherwise.
    func run(_ body: (MessageJob, ProgressMeter?) async throws -> JSONValue) async throws {
        let total: Int64? = jobs.contains { $0.size == nil } ? nil : jobs.reduce(0) { $0 + ($1.size ?? 0) }
        let meter = ProgressMeter(total: total)
        let bar = (!quiet && StandardStreams.stderrIsTerminal) ? ProgressBar(meter: meter, label: verb) : nil
        bar?.start()
        var failures: [(MessageJob, CLIError)] = []
        for job in jobs {
            do {
                let record = try await body(job, bar == nil ? nil : meter)
                if let metadata {
                    do { try metadata.write(record) } catch { failures.append((job, error)) }
                }
            } catch {
                failures.append((job, CLIError.from(error, doing: "\(verb) \(job.input.display)",
                                                    names: (job.input.display, job.output.display))))
            }
        }
        await bar?.finish()
        printSummary(failed: failures.count)
        guard let first = failures.first else { return }
        if failures.count == 1 && jobs.count == 1 { throw first.1 }
        for (_, error) in failures.dropLast() {
            StandardStreams.printStderr("envelope: \(error.message)\n")
        }
        var last = failures.last!.1
        last.message += " (\(failures.count) of \(jobs.count) messages failed; the others were written)"
        last.exitCode = first.1.exitCode
        throw last
    }

}

/// `decrypt --buffer -o -`: an anonymous temporary file (already unlinked, gone when closed) that
/// holds the plaintext until the message verified, then is copied to stdout.
final class HeldOutput {
    let descriptor: Int32
    private let stream: UnsafeMutablePointer<FILE>

    init() throws(CLIError) {
        guard let stream = tmpfile() else {
            throw CLIError(.cannotCreate, "no temporary file for --buffer: \(String(cString: strerror(errno)))", hint: "set TMPDIR to a writable directory with room for the plaintext")
        }
        self.stream = stream
        descriptor = fileno(stream)
    }

    deinit { fclose(stream) }

    /// Copies everything written so far to `output`.
    func copy(to output: Int32) throws(CLIError) {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw CLIError(.ioError, "rewinding the --buffer temporary file failed: \(String(cString: strerror(errno)))")
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw CLIError(.ioError, "reading the --buffer temporary file failed: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            var offset = 0
            while offset < n {
                let w = chunk.withUnsafeBytes { write(output, $0.baseAddress! + offset, n - offset) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw CLIError(.ioError, "writing the plaintext to stdout failed: \(String(cString: strerror(errno)))") }
                offset += w
            }
        }
    }
}
