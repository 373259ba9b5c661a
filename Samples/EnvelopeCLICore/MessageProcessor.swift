#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCore
import EnvelopeKMS
import Foundation

/// Where the bytes of one message go: a file that appears only when complete, or stdout.
final class OutputSink {
    private let target: OutputTarget
    private let overwrite: Bool
    private var file: AtomicOutputFile?

    init(target: OutputTarget, overwrite: Bool) {
        self.target = target
        self.overwrite = overwrite
    }

    /// Opens the temporary file (files only); called before the first byte is produced, so that
    /// an output that cannot be created fails before any plaintext is released.
    func open() throws(CLIError) {
        guard case .file(let path) = target, file == nil else { return }
        try JobPlanner.createParentDirectory(of: path)
        file = try AtomicOutputFile(path: path, overwrite: overwrite)
    }

    func write(_ bytes: [UInt8]) throws(CLIError) {
        switch target {
        case .stdout: try StandardStreams.writeStdout(bytes)
        case .file:
            try open()
            try file!.write(bytes)
        }
    }

    func commit() throws(CLIError) {
        if case .file = target {
            try open()
            try file!.commit()
        }
    }

    func discard() { file?.discard() }
}

/// What encrypts: the standard client with a materials manager, or the encrypt-only client.
enum EncryptionEngine: Sendable {
    case standard(EnvelopeClient, any EncryptionMaterialsManager)
    case encryptOnly(EncryptOnlyClient)

    func stream<S: AsyncSequence & Sendable>(_ source: S, context: EncryptionContext, suite: AlgorithmSuite?, frameLength: Int) throws -> EncryptingStream<S>
    where S.Element == [UInt8] {
        switch self {
        case .standard(let client, let manager):
            return client.encryptStream(source, materialsManager: manager, encryptionContext: context, suite: suite, frameLength: frameLength)
        case .encryptOnly(let client):
            return try client.encryptStream(source, encryptionContext: context, suite: suite, frameLength: frameLength)
        }
    }

    /// The encrypt-only client for the `-w key=…` SPECs: it mirrors a key policy with only
    /// kms:Encrypt, kms:GenerateDataKey* and kms:DescribeKey (``KMSPermissions/encryptOnly``).
    static func encryptOnlyClient(builder: KeyringBuilder, policy: CommitmentPolicy, maxEncryptedDataKeys: Int?) throws(CLIError) -> EncryptOnlyClient {
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
                                         transports: transports, commitmentPolicy: policy, maxEncryptedDataKeys: maxEncryptedDataKeys)
        } catch {
            throw CLIError.from(error, doing: "creating the encrypt-only client")
        }
    }
}

/// Encrypts or decrypts one message, streaming: about one frame of memory whatever the size.
struct MessageProcessor: Sendable {
    let client: EnvelopeClient
    let meter: ProgressMeter
    let overwrite: Bool

    static func chunkSize(frameLength: Int) -> Int { max(64 * 1024, min(frameLength, 4 << 20)) }

    /// Encrypts `job`; returns its metadata record.
    func encrypt(_ job: MessageJob, engine: EncryptionEngine, context: EncryptionContext,
                 suite: AlgorithmSuite?, frameLength: Int) async throws -> JSONValue {
        let chunk = MessageProcessor.chunkSize(frameLength: frameLength)
        switch job.input {
        case .stdin:
            return try await encrypt(CountingChunks(base: FileDescriptorChunks(fd: STDIN_FILENO, chunkSize: chunk), meter: meter), job: job,
                                     engine: engine, context: context, suite: suite, frameLength: frameLength)
        case .file(let path):
            return try await encrypt(CountingChunks(base: FileChunks(url: URL(fileURLWithPath: path), chunkSize: chunk), meter: meter), job: job,
                                     engine: engine, context: context, suite: suite, frameLength: frameLength)
        }
    }

    private func encrypt<S: AsyncSequence & Sendable>(_ source: S, job: MessageJob, engine: EncryptionEngine,
                                                      context: EncryptionContext, suite: AlgorithmSuite?, frameLength: Int) async throws -> JSONValue
    where S.Element == [UInt8] {
        let stream = try engine.stream(source, context: context, suite: suite, frameLength: frameLength)
        var iterator = stream.makeAsyncIterator()
        let sink = OutputSink(target: job.output, overwrite: overwrite)
        do {
            try sink.open()
            while let bytes = try await iterator.next() { try sink.write(bytes) }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        guard let header = iterator.header else {
            throw CLIError(.failure, "encrypting \(job.input.display) produced no header")
        }
        return MetadataLog.record(mode: "encrypt", input: job.input.display, output: job.output.display, header: header)
    }

    /// Decrypts `job`; returns its metadata record. A failed decrypt leaves no output file.
    func decrypt(_ job: MessageJob, keyring: any DecryptionKeyring, requiredPairs: [String: String], requiredKeys: [String]) async throws -> JSONValue {
        let record = DecryptedKeyRecord()
        let unstored = UnstoredKeysRecord()
        let manager = ContextRequirementsMaterialsManager(
            underlying: DefaultMaterialsManager(decryptionKeyring: RecordingDecryptionKeyring(base: keyring, record: record)),
            requiredPairs: requiredPairs, requiredKeys: requiredKeys, unstoredKeys: unstored)
        do {
            switch job.input {
            case .stdin:
                return try await decrypt(CountingChunks(base: FileDescriptorChunks(fd: STDIN_FILENO, chunkSize: 256 * 1024), meter: meter),
                                         job: job, manager: manager, requiredPairs: requiredPairs, record: record)
            case .file(let path):
                return try await decrypt(CountingChunks(base: FileChunks(url: URL(fileURLWithPath: path), chunkSize: 256 * 1024), meter: meter),
                                         job: job, manager: manager, requiredPairs: requiredPairs, record: record)
            }
        } catch let error as EnvelopeError
                    where [.authenticationFailed, .unableToDecryptDataKey].contains(error.code) && !unstored.value.isEmpty {
            // Pairs absent from the header are authenticated-only pairs: a message encrypted without
            // them fails to verify (raw keyrings already fail to unwrap, their AAD includes them).
            throw EnvelopeError(.encryptionContextMismatch,
                                "The message does not store the -c key(s) \(unstored.value.joined(separator: ", ")), and it does not verify with them as authenticated-only pairs: it was not encrypted with exactly these pairs",
                                causes: [error], dataKeyFailures: error.dataKeyFailures)
        }
    }

    private func decrypt<S: AsyncSequence & Sendable>(_ source: S, job: MessageJob, manager: any DecryptionMaterialsManager,
                                                      requiredPairs: [String: String], record: DecryptedKeyRecord) async throws -> JSONValue
    where S.Element == [UInt8] {
        let stream = client.decryptStream(source, materialsManager: manager, encryptionContext: requiredPairs)
        var iterator = stream.makeAsyncIterator()
        let sink = OutputSink(target: job.output, overwrite: overwrite)
        do {
            try sink.open()
            while let bytes = try await iterator.next() { try sink.write(bytes) }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        guard let info = iterator.info else {
            throw CLIError(.failure, "decrypting \(job.input.display) produced no header")
        }
        return MetadataLog.record(mode: "decrypt", input: job.input.display, output: job.output.display, header: info.header,
                                  decryptedWith: record.value, origin: info.dataKeyOrigin)
    }
}

/// Runs the jobs of one command, `jobs` at a time, with the progress bar and metadata log; a
/// failed message does not stop the others of a directory run.
struct JobRunner {
    let jobs: [MessageJob]
    let concurrency: Int
    let verb: String
    let quiet: Bool
    let metadata: MetadataLog?

    func run(_ body: @escaping @Sendable (MessageJob, ProgressMeter) async throws -> JSONValue) async throws {
        let total: Int64? = jobs.contains { $0.size == nil } ? nil : jobs.reduce(0) { $0 + ($1.size ?? 0) }
        let meter = ProgressMeter(total: total)
        let bar = (!quiet && StandardStreams.stderrIsTerminal) ? ProgressBar(meter: meter, label: verb) : nil
        bar?.start()
        var failures: [(MessageJob, CLIError)] = []
        var records: [Int: JSONValue] = [:]
        await withTaskGroup(of: (Int, Result<JSONValue, CLIError>).self) { group in
            var next = 0
            func addNext() {
                guard next < jobs.count else { return }
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await body(job, meter)))
                    } catch {
                        return (index, .failure(CLIError.from(error, doing: "\(verb) \(job.input.display)")))
                    }
                }
            }
            for _ in 0..<min(concurrency, jobs.count) { addNext() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let record):
                    records[index] = record
                    if let metadata {
                        do { try metadata.write(record) } catch let error as CLIError { failures.append((jobs[index], error)) } catch { failures.append((jobs[index], CLIError.from(error, doing: "writing metadata"))) }
                    }
                case .failure(let error):
                    failures.append((jobs[index], error))
                }
                addNext()
            }
        }
        await bar?.finish()
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
