import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeKMSHTTP
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

/// The kinds of failure `envelope` tells apart. ``CLIFailureKind/init(classifying:)`` chooses one
/// by the error's type (and, for KMS, the error code, a typed value); ``CLIFailureKind/row`` gives
/// the exit status and the hint. This table is the only place errors become exit statuses.
enum CLIFailureKind: String, CaseIterable, Sendable {
    // The message itself.
    case malformedMessage, base64Message, authenticationFailed, commitmentPolicy, tooManyDataKeys, contextMismatch, limitExceeded
    // A decrypt limit (--max-frame-length, --max-header-length, --max-body-length) refused the message.
    case frameTooLarge, headerTooLarge, bodyTooLarge, signedRefused
    // No wrapping key could decrypt a data key, and nothing below explains why; or a key with the
    // right name failed to unwrap it (other key bytes, or another encryption context).
    case noDataKey, wrongWrappingKey
    case invalidArgument
    // Files.
    case inputUnreadable, outputExists, ioFailed
    // KMS answered with an error.
    case kmsAccessDenied, kmsNotFound, kmsInvalidRequest, kmsUnavailable, kmsCredentialsRejected, kmsRefused
    // NotFound for a key named by ARN (a typo, or the key was deleted); a disabled or pending-deletion key.
    case kmsNotFoundByARN, kmsKeyDisabled
    // The request did not get an answer / could not be made.
    case unreachable, badAnswer, noCredentials, noEndpoint
    // Configuration and command line.
    case badIdentifier, localKMSState, badPolicyDocument, badAWSSetting
    case cryptoLibrary, other
    // The branch key store (`branch-key`, `-w hierarchy=`): its table, its items, DynamoDB.
    case branchKeyTableMissing, branchKeyNotFound, branchKeyExists, branchKeyConflict, branchKeyKMSKeyMismatch, branchKeyItemInvalid
    case dynamoDBUnreachable, dynamoDBUnavailable, dynamoDBRefused

    /// Whether the failure is the KMS's answer (or about its state), so that the local KMS's
    /// state directory is worth naming.
    var concernsKMS: Bool {
        switch self {
        case .kmsAccessDenied, .kmsNotFound, .kmsNotFoundByARN, .kmsKeyDisabled, .kmsInvalidRequest, .kmsUnavailable,
             .kmsCredentialsRejected, .kmsRefused, .localKMSState: true
        default: false
        }
    }

    /// Exit status and hint of one kind.
    struct Row: Sendable {
        let exit: CLIExitCode
        let hint: String?
    }

    /// The table.
    var row: Row {
        switch self {
        case .malformedMessage: Row(exit: .dataError, hint: "check that the input is a complete AWS Encryption SDK message")
        case .base64Message: Row(exit: .dataError, hint: "decode it first, e.g. `base64 -d IN | envelope decrypt -i - …`")
        case .authenticationFailed: Row(exit: .dataError, hint: "the message was modified or truncated; do not use it")
        case .commitmentPolicy: Row(exit: .dataError, hint: "choose another --algorithm, or --commitment-policy require-encrypt-allow-decrypt to read older messages")
        case .tooManyDataKeys: Row(exit: .dataError, hint: "raise --max-encrypted-data-keys or use fewer -w keys")
        case .contextMismatch: Row(exit: .dataError, hint: "the -c pairs must match the message's encryption context (see --metadata-output)")
        case .limitExceeded: Row(exit: .dataError, hint: "check that the input is a complete AWS Encryption SDK message")
        case .frameTooLarge: Row(exit: .dataError, hint: "if you trust the message, pass --max-frame-length with its frame length (memory grows with it)")
        case .headerTooLarge: Row(exit: .dataError, hint: "if you trust the message, pass --max-header-length with its header length")
        case .bodyTooLarge: Row(exit: .dataError, hint: "if you trust the message, pass --max-body-length with its body length (the body is held in memory)")
        case .signedRefused: Row(exit: .dataError, hint: "the message is signed; drop --refuse-signed to decrypt it (with -o -, add --buffer to write nothing until the signature verifies)")
        case .noDataKey: Row(exit: .accessDenied, hint: "pass a -w SPEC (or --discovery) for one of the keys listed above")
        case .wrongWrappingKey: Row(exit: .accessDenied, hint: "a -w key with the message's key name could not unwrap the data key: its bytes differ from the encrypting key's")
        case .invalidArgument: Row(exit: .usage, hint: "see `envelope encrypt --help`")
        case .inputUnreadable: Row(exit: .noInput, hint: "check the path given to -i")
        case .outputExists: Row(exit: .cannotCreate, hint: "use --force to replace it, or choose another -o")
        case .ioFailed: Row(exit: .ioError, hint: nil)
        case .kmsAccessDenied: Row(exit: .accessDenied, hint: "both the key policy and the caller's IAM policy must allow the action; `envelope kms get-key-policy --key ARN` shows the key policy")
        case .kmsNotFound: Row(exit: .accessDenied, hint: "a key of another account must be named by its key ARN or alias ARN; a bare key ID or alias/NAME always resolves in the caller's own account")
        case .kmsInvalidRequest: Row(exit: .dataError, hint: "fix the request or the policy document and try again")
        case .kmsUnavailable: Row(exit: .unavailable, hint: "KMS is busy or unavailable; try again later")
        case .kmsCredentialsRejected: Row(exit: .configuration, hint: "check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the clock")
        case .kmsRefused: Row(exit: .accessDenied, hint: nil)
        case .kmsNotFoundByARN: Row(exit: .accessDenied, hint: "check the key ARN (Region, account, key ID) for typos; `envelope kms describe-key --key ARN` shows whether the key exists")
        case .kmsKeyDisabled: Row(exit: .accessDenied, hint: "the key is disabled or pending deletion; its owner can `envelope kms enable-key --key ARN` (or cancel-key-deletion)")
        case .unreachable: Row(exit: .unavailable, hint: "check the endpoint (--kms-endpoint, AWS_ENDPOINT_URL_KMS) and the network")
        case .badAnswer: Row(exit: .unavailable, hint: "the endpoint did not answer like AWS KMS; check --kms-endpoint / AWS_ENDPOINT_URL_KMS")
        case .noCredentials: Row(exit: .configuration, hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials")
        case .noEndpoint: Row(exit: .configuration, hint: "give a Region (key ARN, region= in the SPEC, AWS_REGION) or --kms-endpoint URL")
        case .badIdentifier: Row(exit: .usage, hint: "key ARNs look like arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; alias ARNs like arn:aws:kms:REGION:ACCOUNT:alias/NAME")
        case .localKMSState: Row(exit: .configuration, hint: "use --kms-state DIR (or ENVELOPE_KMS_STATE) with a directory you own")
        case .badPolicyDocument: Row(exit: .dataError, hint: "fix the JSON; `envelope policy render` prints valid statements to start from")
        case .badAWSSetting: Row(exit: .configuration, hint: "fix the named environment variable or ~/.aws/config setting")
        case .cryptoLibrary: Row(exit: .failure, hint: nil)
        case .branchKeyTableMissing: Row(exit: .configuration, hint: "check --table and the Region (the KMS key's), or create the table: `envelope branch-key create --create-table …`")
        case .branchKeyNotFound: Row(exit: .noInput, hint: "check the branch key ID (and version); `envelope branch-key describe --branch-key-id ID …` shows what the table holds")
        case .branchKeyExists: Row(exit: .cannotCreate, hint: "rotate it with `envelope branch-key version --branch-key-id ID …`, or choose another --branch-key-id")
        case .branchKeyConflict: Row(exit: .unavailable, hint: "another writer versioned the key at the same time; run the command again")
        case .branchKeyKMSKeyMismatch: Row(exit: .accessDenied, hint: "the table's items name another KMS key: pass that key ARN as --kms-key")
        case .branchKeyItemInvalid: Row(exit: .dataError, hint: "the table's item is not a branch key store item of hierarchy version 1, or was modified")
        case .dynamoDBUnreachable: Row(exit: .unavailable, hint: "check the DynamoDB endpoint (--dynamodb-endpoint, AWS_ENDPOINT_URL_DYNAMODB) and the network")
        case .dynamoDBUnavailable: Row(exit: .unavailable, hint: "DynamoDB is busy or unavailable; try again later")
        case .dynamoDBRefused: Row(exit: .accessDenied, hint: "check the credentials and that they may use the table")
        case .other: Row(exit: .failure, hint: nil)
        }
    }

    /// The kind of `error`, by type.
    init(classifying error: any Error) {
        switch error {
        case let e as EnvelopeError: self = Self.kind(of: e)
        case let e as KMSError: self = Self.kind(of: e, requested: nil)
        case let e as KMSDataKeyError:
            if let kms = e.kmsError { self = Self.kind(of: kms, requested: e.key) } else {
                self = e.underlyingErrors.first.map(Self.init(classifying:)) ?? .kmsRefused
            }
        case let e as AWSCallError: self = Self.kind(of: e)
        case let e as BranchKeyStoreError: self = Self.kind(of: e)
        case let e as DynamoDBError: self = e.isRetryable ? .dynamoDBUnavailable : .dynamoDBRefused
        case is any CredentialsFailure, is AWSCredentialsError: self = .noCredentials
        case let e as any TransportFailure: self = e.transportFailureKind == .malformedResponse ? .badAnswer : .unreachable
        case let e as IOFailure: self = Self.kind(of: e)
        case is KMSEndpointError: self = .noEndpoint
        case is AWSConfigurationError: self = .badAWSSetting
        case is KMSIdentifierError: self = .badIdentifier
        case is LocalKMSStateError: self = .localKMSState
        case is PolicyDocumentError: self = .badPolicyDocument
        case is CryptoError: self = .cryptoLibrary
        default: self = .other
        }
    }

    private static func kind(of e: EnvelopeError) -> CLIFailureKind {
        switch e.code {
        case .malformedMessage: return .malformedMessage
        case .base64EncodedMessage: return .base64Message
        case .authenticationFailed: return .authenticationFailed
        case .commitmentPolicyViolation: return .commitmentPolicy
        case .tooManyEncryptedDataKeys: return .tooManyDataKeys
        case .encryptionContextMismatch: return .contextMismatch
        case .limitExceeded:
            switch e.firstCause(LimitFailure.self)?.limit {
            case .frameLength: return .frameTooLarge
            case .headerLength: return .headerTooLarge
            case .nonFramedBodyLength: return .bodyTooLarge
            default: return .limitExceeded
            }
        case .signedSuiteRefused: return .signedRefused
        case .invalidArgument: return .invalidArgument
        case .io: return e.firstCause(IOFailure.self).map(kind(of:)) ?? .ioFailed
        default: break
        }
        // A keyring failure: the most telling typed cause decides. Credentials and transport
        // first (they explain every other failure), then what KMS answered.
        let causes = e.allCauses.map(CLIFailureKind.init(classifying:))
        for preferred in [CLIFailureKind.noCredentials, .kmsCredentialsRejected, .unreachable, .badAnswer, .noEndpoint,
                          .kmsAccessDenied, .kmsKeyDisabled, .kmsNotFoundByARN, .kmsNotFound, .kmsUnavailable, .kmsInvalidRequest,
                          .kmsRefused] where causes.contains(preferred) {
            return preferred
        }
        if e.code == .unableToDecryptDataKey {
            return e.allCauses.contains { $0 is CryptoError } ? .wrongWrappingKey : .noDataKey
        }
        return causes.first { $0 != .other } ?? .other
    }

    /// A KMS error by what the caller should do; `requested` is the key the keyring asked for
    /// (else the error's own `keyID`): NotFound for a key named by ARN is a typo or a deleted
    /// key, for a bare key ID or alias it usually means the key of another account.
    private static func kind(of e: KMSError, requested: KMSKeyIdentifier?) -> CLIFailureKind {
        guard e.code == .notFound else { return kind(of: e.code) }
        let byARN: Bool
        switch requested {
        case .keyARN?, .aliasARN?: byARN = true
        case .keyID?, .aliasName?: byARN = false
        case nil: byARN = e.keyID?.hasPrefix("arn:") ?? false
        }
        return byARN ? .kmsNotFoundByARN : .kmsNotFound
    }

    /// KMS error codes by what the caller should do.
    private static func kind(of code: KMSErrorCode) -> CLIFailureKind {
        switch code {
        case .accessDenied: .kmsAccessDenied
        case .notFound: .kmsNotFound
        case .disabled, .invalidState: .kmsKeyDisabled
        case .malformedPolicyDocument, .validation: .kmsInvalidRequest
        case .throttling, .internalError, .dependencyTimeout, .keyUnavailable: .kmsUnavailable
        case _ where credentialsRejected.contains(code): .kmsCredentialsRejected
        default: .kmsRefused
        }
    }

    /// Codes with which AWS refuses the request's credentials or signature
    /// (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
    static let credentialsRejected: Set<KMSErrorCode> = [
        .unrecognizedClient, "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
        "MissingAuthenticationToken", "ExpiredTokenException", "InvalidClientTokenId",
    ]

    private static func kind(of e: AWSCallError) -> CLIFailureKind {
        switch e.failure {
        case .service(let response): kind(of: KMSErrorCode(rawValue: response.code))
        case .credentials: .noCredentials
        case .transport(let failure): failure.transportFailureKind == .malformedResponse ? .badAnswer : .unreachable
        }
    }

    /// A branch key store failure by its kind; a failed call by what KMS or DynamoDB answered.
    private static func kind(of e: BranchKeyStoreError) -> CLIFailureKind {
        switch e.kind {
        case .tableNotFound: return .branchKeyTableMissing
        case .itemNotFound: return .branchKeyNotFound
        case .branchKeyExists: return .branchKeyExists
        case .concurrentModification: return .branchKeyConflict
        case .kmsKeyNotAllowed: return .branchKeyKMSKeyMismatch
        case .malformedItem, .unsupportedHierarchyVersion, .unexpectedKMSResponse, .tableKeySchemaMismatch: return .branchKeyItemInvalid
        case .invalidRequest, .discoveryCannotWrite: return .invalidArgument
        case .kmsCallFailed: return e.cause.map(CLIFailureKind.init(classifying:)) ?? .kmsRefused
        case .dynamoDBCallFailed:
            guard let cause = e.cause else { return .dynamoDBRefused }
            let kind = CLIFailureKind(classifying: cause)
            switch kind {
            case .unreachable, .badAnswer: return .dynamoDBUnreachable
            case .noCredentials, .badAWSSetting, .noEndpoint: return kind
            case .dynamoDBUnavailable, .dynamoDBRefused: return kind
            default: return .dynamoDBRefused
            }
        }
    }

    private static func kind(of e: IOFailure) -> CLIFailureKind {
        switch (e.role, e.operation) {
        case (.input, .open): .inputUnreadable
        case (.output, .exists), (.output, .create): .outputExists
        default: .ioFailed
        }
    }
}

extension CLIError {
    /// Translates any error thrown while running a command into a `CLIError` through the
    /// ``CLIFailureKind`` table. `names` are how the user named the input and output of a message
    /// (`-` for the standard streams), used for I/O failures on descriptors.
    static func from(_ error: any Error, doing action: String, names: (input: String, output: String)? = nil) -> CLIError {
        if let e = error as? CLIError { return e }
        let kind = CLIFailureKind(classifying: error)
        // A credentials failure's hint depends on which source failed and how (SSO login, process, …).
        let credentials = kind == .noCredentials ? AWSCredentialsWiring.credentialsError(in: error) : nil
        var converted = CLIError(kind.row.exit, "\(action) failed: \(describe(error, names: names, kind: kind))",
                                 hint: credentials.flatMap(AWSCredentialsWiring.hint(for:)) ?? kind.row.hint,
                                 denial: kind == .kmsAccessDenied ? denialReason(in: error)?.missingSide : nil)
        converted.kind = kind
        converted.details = String(describing: error)
        // Per encrypted data key, why it was not decrypted: one line each, under the error.
        converted.items = (error as? EnvelopeError)?.dataKeyFailures.map { oneLine($0.description) } ?? []
        converted.code = kind.rawValue
        converted.dataKeyFailures = (error as? EnvelopeError)?.dataKeyFailures ?? []
        return converted
    }

    /// The local KMS's typed explanation of an AccessDeniedException, wherever it sits among the causes.
    static func denialReason(in error: any Error) -> KMSDenialReason? {
        if let kms = error as? KMSError { return kms.denialReason }
        let causes = (error as? EnvelopeError)?.allCauses ?? (error as? any ErrorWithCauses)?.underlyingErrors ?? []
        return causes.lazy.compactMap { ($0 as? KMSError)?.denialReason }.first
    }

    /// The error's own words on one line, with the per-key failures of a decrypt; I/O failures
    /// name the file as the user named it.
    static func describe(_ error: any Error, names: (input: String, output: String)?, kind: CLIFailureKind? = nil) -> String {
        // Credentials errors say which source failed and how, in full: that is the whole point.
        if kind == .noCredentials, let credentials = AWSCredentialsWiring.credentialsError(in: error) {
            return oneLine(String(describing: credentials))
        }
        if kind == .unreachable || kind == .badAnswer, let transport = transportFailure(in: error) { return describe(transport) }
        if let call = error as? KMSDataKeyError { return clipped(describe(call)) }
        guard let e = error as? EnvelopeError else { return clipped(oneLine(String(describing: error))) }
        if let io = e.firstCause(IOFailure.self) {
            var failure = io
            if io.path == nil, let names {
                let given = io.role == .input ? names.input : names.output
                let name = given == "-" ? (io.role == .input ? "standard input" : "standard output") : given
                failure = IOFailure(io.operation, role: io.role, path: name, errno: io.errno)
            }
            return "could not \(failure)"
        }
        if let limit = e.firstCause(LimitFailure.self), let text = describe(limit) { return text }
        // A KMS call that failed: its action, key and error code say it; the keyring's prose is
        // for --verbose. The call whose kind decided the exit status is the one named.
        let calls = e.kmsDataKeyErrors.filter { $0.kmsError != nil }
        if kind?.concernsKMS ?? true,
           let call = calls.first(where: { kind == nil || CLIFailureKind(classifying: $0) == kind }) ?? calls.first {
            return clipped(describe(call))
        }
        var text = oneLine(e.message)
        if e.dataKeyFailures.isEmpty, let cause = e.causes.first, !(cause is LimitFailure) {
            // The cause's words, unless the message already says them (formatting only).
            let causeText = oneLine(String(describing: cause))
            if !text.contains(causeText) { text += " (\(causeText))" }
        }
        return clipped(text)
    }

    /// `GenerateDataKey on KEY failed: NotFoundException: MESSAGE` (the AWS SDKs' form), without
    /// a doubled period.
    static func describe(_ call: KMSDataKeyError) -> String {
        guard let kms = call.kmsError else { return oneLine(call.description) }
        var text = "\(call.action.rawValue) on \(call.key) failed: \(kms.code.rawValue)"
        let message = oneLine(kms.message).trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        if !message.isEmpty { text += ": \(message)" }
        return text
    }

    /// The transport failure among the causes of `error` (a request that got no answer).
    static func transportFailure(in error: any Error) -> (any TransportFailure)? {
        if let failure = error as? any TransportFailure { return failure }
        if let call = error as? AWSCallError, case .transport(let failure) = call.failure { return failure }
        let causes = (error as? EnvelopeError)?.allCauses ?? (error as? any ErrorWithCauses)?.underlyingErrors ?? []
        for cause in causes {
            if let failure = cause as? any TransportFailure { return failure }
            if let call = cause as? AWSCallError, case .transport(let failure) = call.failure { return failure }
        }
        return nil
    }

    /// `could not connect to URL (connection refused) after 3 attempts`.
    static func describe(_ failure: any TransportFailure) -> String {
        guard let aws = failure as? AWSTransportError else {
            return "the request to \(failure.url) failed (\(failure.transportFailureKind.rawValue))"
        }
        let attempts = "after \(aws.attempts) attempt\(aws.attempts == 1 ? "" : "s")"
        switch aws.detail {
        case .connect:
            return "could not connect to \(aws.url)" + (aws.connectFailureReason.map { " (\($0))" } ?? "") + " \(attempts)"
        case .timeout(let seconds):
            return "no answer from \(aws.url) within \(String(format: "%.1f", seconds)) s \(attempts)"
        case .tls:
            return "TLS with \(aws.url) failed (handshake or certificate)"
        case .malformedResponse(let status, let what):
            return "the answer of \(aws.url) (HTTP \(status)) \(what)"
        }
    }

    /// A line longer than the terminal's usual width is cut (formatting only); `--verbose`
    /// prints the whole error.
    static func clipped(_ text: String, limit: Int = 190) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A decrypt limit in the CLI's words (its option names, not the library's).
    static func describe(_ limit: LimitFailure) -> String? {
        switch limit.limit {
        case .frameLength: "the message's frames are \(limit.value) bytes, above --max-frame-length \(limit.maximum)"
        case .headerLength: "the message header is at least \(limit.value) bytes, above --max-header-length \(limit.maximum)"
        case .nonFramedBodyLength: "the message's non-framed body is \(limit.value) bytes, above --max-body-length \(limit.maximum)"
        default: nil
        }
    }

    /// Folds a multi-line description into one line (formatting only; never used to classify).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
