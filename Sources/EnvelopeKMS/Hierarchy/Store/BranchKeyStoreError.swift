import EnvelopeCore

/// Why a branch key store operation failed. The KMS or DynamoDB error that caused it, if any, is
/// kept as a value (``underlyingErrors``), never as text.
public struct BranchKeyStoreError: Error, Sendable, CustomStringConvertible, ErrorWithCauses {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The table has no such item (branch key, version or beacon key).
        case itemNotFound
        /// An item lacks an attribute of the record format, has one of the wrong type, or is not the item asked for.
        case malformedItem
        /// The item's `kms-arn` is not compatible with the store's KMS configuration.
        case kmsKeyNotAllowed
        /// Creating or versioning a key needs a configured KMS key ARN, not discovery.
        case discoveryCannotWrite
        /// The request itself is not valid (empty branch key ID, a branch key ID without encryption context, …).
        case invalidRequest
        /// `CreateKey`: a branch key with this ID already exists.
        case branchKeyExists
        /// `VersionKey`: the active item changed between reading and writing it (another writer); retry.
        case concurrentModification
        /// The item's `hierarchy-version` is not one this store implements (only `1` is).
        case unsupportedHierarchyVersion
        /// KMS returned a key of the wrong length, or the key of another KMS key.
        case unexpectedKMSResponse
        /// The table's key schema is not `branch-key-id` (partition, S) + `type` (sort, S).
        case tableKeySchemaMismatch
        /// The table does not exist.
        case tableNotFound
        /// KMS refused or failed the call (see the underlying `KMSError` or transport error).
        case kmsCallFailed
        /// DynamoDB refused or failed the call (see the underlying ``DynamoDBError`` or transport error).
        case dynamoDBCallFailed
    }

    /// What went wrong.
    public let kind: Kind
    /// The branch key concerned, when there is one.
    public let branchKeyIdentifier: String?
    /// What was wrong and what to do (never key material).
    public let message: String
    /// The error that caused this one (a `KMSError`, ``DynamoDBError`` or transport error), if any.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - branchKeyIdentifier: The branch key concerned.
    ///   - message: What was wrong and what to do.
    ///   - cause: The error that caused it.
    public init(_ kind: Kind, branchKeyIdentifier: String? = nil, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.branchKeyIdentifier = branchKeyIdentifier
        self.message = message
        self.cause = cause
    }

    /// The cause, if any.
    public var underlyingErrors: [any Error] { cause.map { [$0] } ?? [] }

    /// The message, naming the branch key, then the cause.
    public var description: String {
        let text = branchKeyIdentifier.map { "branch key \($0): \(message)" } ?? message
        return cause.map { "\(text): \($0)" } ?? text
    }
}
