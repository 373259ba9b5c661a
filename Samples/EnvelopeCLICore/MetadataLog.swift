#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCore
import EnvelopeKMS
import Foundation

/// `--metadata-output PATH|-`: one JSON object per message, one per line (JSON Lines), appended to
/// PATH (created 0600 if missing) or written to stdout.
///
/// Each record: `mode`, `input`, `output`, `suite`, `suite_id`, `message_id`, `frame_length`,
/// `encryption_context` (as stored in the header), `encrypted_data_keys` (provider and key name or
/// key ARN of each), and for decrypt `decrypted_with` (the encrypted data key that was decrypted).
final class MetadataLog: @unchecked Sendable {
    private let lock = NSLock()
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Where records go, for messages.
    let destination: String

    /// Opens the destination (`-` is stdout).
    init(destination: String) throws(CLIError) {
        self.destination = destination
        if destination == "-" {
            fd = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            fd = open(destination, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw CLIError(.cannotCreate, "cannot open the metadata output \(destination): \(String(cString: strerror(errno)))",
                               hint: "check that its directory exists and is writable")
            }
            ownsDescriptor = true
        }
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Writes one record (a single line).
    func write(_ record: JSONValue) throws(CLIError) {
        let line = Array((record.rendered(indent: nil) + "\n").utf8)
        let code = lock.withLock { StandardStreams.writeAll(line, to: fd) }
        guard code == 0 else {
            throw CLIError(.ioError, "writing the metadata output \(destination) failed: \(String(cString: strerror(code)))")
        }
    }

    /// The record of one message.
    static func record(mode: String, input: String, output: String, header: MessageHeaderInfo,
                       origin: DataKeyOrigin? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("mode", .string(mode)),
            ("input", .string(input)),
            ("output", .string(output)),
            ("suite", .string(header.suite.name)),
            ("suite_id", .string("0x" + header.suite.idHex)),
            ("message_id", .string(header.messageID.map { String(format: "%02x", $0) }.joined())),
            ("frame_length", .number(Double(header.frameLength))),
            ("encryption_context", .object(header.encryptionContext.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
            ("encrypted_data_keys", .array(header.encryptedDataKeys.map(describe))),
        ]
        if let origin, let decryptedWith = origin.encryptedDataKey {
            var key: [(String, JSONValue)] = [("provider_id", .string(decryptedWith.providerID)), ("key", .string(decryptedWith.keyName))]
            key.append(("keyring", .string(origin.keyring)))
            if !origin.notes.isEmpty { key.append(("notes", .array(origin.notes.map(JSONValue.string)))) }
            members.append(("decrypted_with", .object(key)))
        }
        return .object(members)
    }

    static func describe(_ edk: EncryptedDataKey) -> JSONValue {
        .object([("provider_id", .string(edk.providerID)), ("key", .string(edk.keyName))])
    }
}
