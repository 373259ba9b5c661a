import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
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

    /// Creates an error.
    public init(_ exitCode: CLIExitCode, _ message: String, hint: String? = nil) {
        self.exitCode = exitCode
        self.message = message
        self.hint = hint
    }

    /// `message` and, on a second line, `hint: …`.
    public var description: String {
        hint.map { "\(message)\nhint: \($0)" } ?? message
    }

    static func usage(_ message: String, hint: String? = nil) -> CLIError { CLIError(.usage, message, hint: hint) }
}

