import Foundation

/// Lets `localizedDescription` (and tools that print it) show the full, actionable message.
extension EnvelopeError: LocalizedError {
    /// The message, the per-key failures and the causes.
    public var errorDescription: String? { description }
}
