import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// One line of the local KMS's decision log, in the spirit of a CloudTrail event: who asked for
/// what on which key, the outcome, and which statement of which policy (key policy, IAM policy or
/// grant) allowed or denied it — or that no statement allows it.
public struct LocalKMSDecision: Codable, Sendable, Equatable {
    /// When the request was decided.
    public var time: Date
    /// The calling principal as it signed the request (a session ARN for an assumed role).
    public var caller: String
    /// The caller's IAM identity (`aws:PrincipalArn`: for a session, the role with its path).
    public var principalArn: String
    /// The action, e.g. `kms:Decrypt`.
    public var action: String
    /// The key ARN.
    public var resource: String
    /// The Region the request was sent to.
    public var region: String
    /// `Allow` or `Deny`.
    public var outcome: String
    /// Which side is missing or denied, for a denial.
    public var denial: KMSDenialReason?
    /// The statements that decided (empty for "no statement allows").
    public var statements: [KMSStatementReference]
    /// The explanation in one sentence.
    public var explanation: String

    /// Creates a log line.
    public init(time: Date, caller: String, principalArn: String, action: String, resource: String, region: String,
                explanation: KMSAccessExplanation) {
        self.time = time
        self.caller = caller
        self.principalArn = principalArn
        self.action = action
        self.resource = resource
        self.region = region
        outcome = explanation.isAllowed ? "Allow" : "Deny"
        denial = explanation.denial
        statements = explanation.statements
        self.explanation = explanation.description
    }

    /// The line as JSON (no newline), keys sorted, time in ISO 8601.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Parses a line written by ``jsonLine()``.
    public init(jsonLine: String) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        self = try decoder.decode(LocalKMSDecision.self, from: Data(jsonLine.utf8))
    }
}
