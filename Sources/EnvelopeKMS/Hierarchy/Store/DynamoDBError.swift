/// A DynamoDB error code as the service names it (`ConditionalCheckFailedException`, …).
///
/// A struct rather than an enum so that codes the service adds later fit without a breaking change.
/// Codes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
public struct DynamoDBErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The code text, exactly as DynamoDB sends it.
    public let rawValue: String
    /// Wraps a code string.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a code string literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// The code text.
    public var description: String { rawValue }

    /// A condition expression of a single-item write was not met.
    public static let conditionalCheckFailed: DynamoDBErrorCode = "ConditionalCheckFailedException"
    /// A transaction was cancelled; ``DynamoDBError/cancellationReasons`` says why, per item.
    public static let transactionCanceled: DynamoDBErrorCode = "TransactionCanceledException"
    /// The table does not exist (or is not yet `ACTIVE`).
    public static let resourceNotFound: DynamoDBErrorCode = "ResourceNotFoundException"
    /// The table already exists (`CreateTable`) or is being created or deleted.
    public static let resourceInUse: DynamoDBErrorCode = "ResourceInUseException"
    /// A request parameter failed validation.
    public static let validation: DynamoDBErrorCode = "ValidationException"
    /// The request rate is too high for the table's provisioned throughput (retryable).
    public static let provisionedThroughputExceeded: DynamoDBErrorCode = "ProvisionedThroughputExceededException"
    /// The request rate is too high (retryable).
    public static let throttling: DynamoDBErrorCode = "ThrottlingException"
    /// Another transaction on the same items is in progress (retryable).
    public static let transactionInProgress: DynamoDBErrorCode = "TransactionInProgressException"
    /// The caller is not authorized.
    public static let accessDenied: DynamoDBErrorCode = "AccessDeniedException"
    /// The access key is not known to the service.
    public static let unrecognizedClient: DynamoDBErrorCode = "UnrecognizedClientException"
    /// An internal service error (retryable).
    public static let internalServerError: DynamoDBErrorCode = "InternalServerError"
    /// The per-item reason `TransactWriteItems` gives for a condition that was not met.
    public static let conditionalCheckFailedReason: DynamoDBErrorCode = "ConditionalCheckFailed"
}

/// An error answered by DynamoDB (or a DynamoDB-compatible table): its code, its message and,
/// for a cancelled transaction, the reason of each item.
public struct DynamoDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error code.
    public var code: DynamoDBErrorCode
    /// The service's message (never item contents).
    public var message: String
    /// For ``DynamoDBErrorCode/transactionCanceled``: one reason code per item of the request, in
    /// order (`None` for items that were not the cause).
    public var cancellationReasons: [DynamoDBErrorCode]
    /// The operation that failed, e.g. `TransactWriteItems`, when known.
    public var operation: String?
    /// The HTTP status, when the error came over HTTP.
    public var httpStatus: Int?
    /// The service's request ID, when known.
    public var requestID: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: The service's message.
    ///   - cancellationReasons: Per-item reasons of a cancelled transaction.
    ///   - operation: The operation that failed.
    ///   - httpStatus: The HTTP status.
    ///   - requestID: The service's request ID.
    public init(code: DynamoDBErrorCode, message: String, cancellationReasons: [DynamoDBErrorCode] = [], operation: String? = nil,
                httpStatus: Int? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.cancellationReasons = cancellationReasons
        self.operation = operation
        self.httpStatus = httpStatus
        self.requestID = requestID
    }

    /// Whether a condition of the write was not met: `ConditionalCheckFailedException`, or a
    /// transaction cancelled with a `ConditionalCheckFailed` reason.
    public var isConditionalCheckFailure: Bool {
        code == .conditionalCheckFailed
            || (code == .transactionCanceled && cancellationReasons.contains(.conditionalCheckFailedReason))
    }

    /// Whether retrying the same request later may succeed (throttling and server-side faults).
    public var isRetryable: Bool {
        [DynamoDBErrorCode.provisionedThroughputExceeded, .throttling, .transactionInProgress, .internalServerError].contains(code)
            || (httpStatus.map { $0 >= 500 } ?? false)
    }

    /// `Code: message`, the form AWS SDKs print.
    public var description: String {
        var text = message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)"
        if !cancellationReasons.isEmpty { text += " [reasons: \(cancellationReasons.map(\.rawValue).joined(separator: ", "))]" }
        return text
    }
}
