import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import Foundation

/// A failure reported by `envelope`: one line saying what went wrong, a hint saying what to do,
/// and the exit status.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong (one line; never key material or plaintext).
    public var message: String
    /// What to do about it (one line), if anything useful can be said.
    public var hint: String?
    /// The exit status.
    public var exitCode: CLIExitCode
    /// For an access denial the local KMS explained: which side of the check was missing (key
    /// policy, IAM policy, or an explicit deny), one short line.
    public var denial: String?
    /// The kind of failure, when the error came through the ``CLIFailureKind`` table.
    var kind: CLIFailureKind?
    /// More about the failure (the full cause), printed only with `--verbose`.
    public var details: String?
    /// Lines under the error: for a decrypt, why each encrypted data key was not decrypted.
    public var items: [String] = []

    /// Creates an error.
    public init(_ exitCode: CLIExitCode, _ message: String, hint: String? = nil, denial: String? = nil) {
        self.exitCode = exitCode
        self.message = message
        self.hint = hint
        self.denial = denial
    }

    /// `message`, then `why: …` for an explained denial, then `hint: …`.
    public var description: String {
        var text = message
        for item in items { text += "\n  - \(item)" }
        if let denial { text += "\nwhy: \(denial)" }
        if let hint { text += "\nhint: \(hint)" }
        return text
    }

    static func usage(_ message: String, hint: String? = nil) -> CLIError { CLIError(.usage, message, hint: hint) }

    /// `--error-format json`: the failure kind's name (``CLIFailureKind``) when it came through the table.
    var code: String?
    /// `--error-format json`: what each encrypted data key's keyring said, for a decrypt no key could open.
    var dataKeyFailures: [EnvelopeError.DataKeyFailure] = []
}

