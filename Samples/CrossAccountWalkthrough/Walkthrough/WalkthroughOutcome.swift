/// What one step of the walkthrough tried, and what happened.
public struct WalkthroughOutcome: Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of the attempt, e.g. `external-user-encrypt-by-alias-name`.
    public let id: String
    /// Who acted (a principal ARN, or the administrator of an account).
    public let actor: String
    /// What was attempted, in words.
    public let action: String
    /// Whether KMS (and the client) allowed it.
    public let allowed: Bool
    /// Whether the story expects it to be allowed.
    public let expectedAllowed: Bool
    /// The result: what was produced, or the exact error (with its KMS error code).
    public let detail: String

    /// Creates an outcome.
    public init(id: String, actor: String, action: String, allowed: Bool, expectedAllowed: Bool, detail: String) {
        self.id = id
        self.actor = actor
        self.action = action
        self.allowed = allowed
        self.expectedAllowed = expectedAllowed
        self.detail = detail
    }

    /// Whether the outcome is the one the story expects.
    public var isAsExpected: Bool { allowed == expectedAllowed }

    /// One line: `[allowed] id: action — detail` (marked `UNEXPECTED` when it differs from the story).
    public var description: String {
        "\(allowed ? "allowed" : "refused")\(isAsExpected ? "" : " (UNEXPECTED)") \(id): \(action) — \(detail)"
    }
}
