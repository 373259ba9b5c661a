/// A KMS error code as the service names it (`AccessDeniedException`, `NotFoundException`, …).
///
/// A struct rather than an enum so that codes the service adds later, or codes of the wire
/// layer (`UnrecognizedClientException`, `SignatureDoesNotMatch`), fit without a breaking change.
public struct KMSErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The code text, exactly as KMS sends it.
    public let rawValue: String
    /// Wraps a code string.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a code string literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// The code text.
    public var description: String { rawValue }

    /// The caller is not authorized for the action on the key (key policy, IAM policy or grant).
    public static let accessDenied: KMSErrorCode = "AccessDeniedException"
    /// The key, alias or grant does not exist (in the account and Region it was looked up in).
    public static let notFound: KMSErrorCode = "NotFoundException"
    /// The key is disabled.
    public static let disabled: KMSErrorCode = "DisabledException"
    /// The key's state does not allow the operation (e.g. PendingDeletion).
    public static let invalidState: KMSErrorCode = "KMSInvalidStateException"
    /// The ciphertext is malformed, or was not made with this key and encryption context.
    public static let invalidCiphertext: KMSErrorCode = "InvalidCiphertextException"
    /// The key named in the request is not the key that encrypted the ciphertext.
    public static let incorrectKey: KMSErrorCode = "IncorrectKeyException"
    /// A grant token in the request is not valid.
    public static let invalidGrantToken: KMSErrorCode = "InvalidGrantTokenException"
    /// The grant ID is not valid.
    public static let invalidGrantID: KMSErrorCode = "InvalidGrantIdException"
    /// The ARN in the request is not valid.
    public static let invalidARN: KMSErrorCode = "InvalidArnException"
    /// The key's usage does not allow the operation.
    public static let invalidKeyUsage: KMSErrorCode = "InvalidKeyUsageException"
    /// The operation does not apply to this kind of key (e.g. GetPublicKey on a symmetric key).
    public static let unsupportedOperation: KMSErrorCode = "UnsupportedOperationException"
    /// A request parameter failed validation.
    public static let validation: KMSErrorCode = "ValidationException"
    /// The policy document is not valid JSON or not a valid policy.
    public static let malformedPolicyDocument: KMSErrorCode = "MalformedPolicyDocumentException"
    /// A resource already exists (e.g. an alias name).
    public static let alreadyExists: KMSErrorCode = "AlreadyExistsException"
    /// The request rate is too high.
    public static let throttling: KMSErrorCode = "ThrottlingException"
    /// A quota was exceeded.
    public static let limitExceeded: KMSErrorCode = "LimitExceededException"
    /// A dependency of the service timed out (retryable).
    public static let dependencyTimeout: KMSErrorCode = "DependencyTimeoutException"
    /// The key is temporarily unavailable (retryable).
    public static let keyUnavailable: KMSErrorCode = "KeyUnavailableException"
    /// An internal service error (retryable).
    public static let internalError: KMSErrorCode = "KMSInternalException"
    /// A dry run would have succeeded (KMS reports success of a dry run as this error).
    public static let dryRunOperation: KMSErrorCode = "DryRunOperationException"
    /// The access key is not known to the service.
    public static let unrecognizedClient: KMSErrorCode = "UnrecognizedClientException"

    /// The HTTP status KMS answers this error with: 500 for service-side faults
    /// (`KMSInternalException`, `DependencyTimeoutException`, `KeyUnavailableException`), 400 otherwise.
    public var httpStatus: Int {
        [KMSErrorCode.internalError, .dependencyTimeout, .keyUnavailable].contains(self) ? 500 : 400
    }
}

/// An error answered by KMS (or a KMS-compatible service): its code and its message.
///
/// Messages come from the service and never contain key material; the local KMS words them as
/// AWS does (e.g. `User: arn:aws:iam::111122223333:user/X is not authorized to perform:
/// kms:Decrypt on resource: arn:aws:kms:… because no resource-based policy allows the kms:Decrypt action`).
public struct KMSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error code.
    public var code: KMSErrorCode
    /// The service's message.
    public var message: String
    /// The HTTP status, when the error came over HTTP.
    public var httpStatus: Int?
    /// The service's request ID, when known.
    public var requestID: String?
    /// The operation that failed, e.g. `Decrypt` (the `X-Amz-Target` action without its prefix), when known.
    public var operation: String?
    /// The key the request named (as given: key ID, key ARN, alias name or alias ARN), when it named one.
    public var keyID: String?
    /// For an AccessDenied decided by a KMS that explains itself (the local KMS): which side was
    /// missing. Not part of the wire form; `nil` from AWS.
    public var denialReason: KMSDenialReason?

    /// Creates an error with a code and message.
    public init(code: KMSErrorCode, message: String, httpStatus: Int? = nil, requestID: String? = nil,
                operation: String? = nil, keyID: String? = nil, denialReason: KMSDenialReason? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.operation = operation
        self.keyID = keyID
        self.denialReason = denialReason
    }

    /// A copy naming the operation and key, unless already named (the keyrings fill these in
    /// for errors of transports that do not).
    public func naming(operation: String, keyID: String?) -> KMSError {
        var copy = self
        if copy.operation == nil { copy.operation = operation }
        if copy.keyID == nil { copy.keyID = keyID }
        return copy
    }

    /// Whether retrying the same request later may succeed (throttling and server-side faults).
    /// `LimitExceededException` is a quota, not a transient fault: not retryable.
    public var isRetryable: Bool {
        [KMSErrorCode.throttling, .dependencyTimeout, .keyUnavailable, .internalError].contains(code)
            || (httpStatus.map { $0 >= 500 } ?? false)
    }

    /// `Code: message`, the form AWS SDKs print.
    public var description: String { message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)" }
}
