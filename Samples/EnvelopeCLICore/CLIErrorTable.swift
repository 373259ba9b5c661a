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
    case signedRefused
    // No wrapping key could decrypt a data key, and nothing below explains why.
    case noDataKey
    case invalidArgument
    // Files.
    case inputUnreadable, outputExists, ioFailed
    // KMS answered with an error.
    case kmsAccessDenied, kmsNotFound, kmsInvalidRequest, kmsUnavailable, kmsCredentialsRejected, kmsRefused
    // The request did not get an answer / could not be made.
    case unreachable, badAnswer, noCredentials, noEndpoint
    // Configuration and command line.
    case badIdentifier, localKMSState, badPolicyDocument, badAWSSetting
    case cryptoLibrary, other

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
        case .signedRefused: Row(exit: .dataError, hint: "the message is signed; drop --refuse-signed to decrypt it (with -o -, add --buffer to write nothing until the signature verifies)")
        case .noDataKey: Row(exit: .accessDenied, hint: "pass a -w SPEC (or --discovery) for one of the keys listed above")
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
        case .unreachable: Row(exit: .unavailable, hint: "check the endpoint (--kms-endpoint, AWS_ENDPOINT_URL_KMS) and the network")
        case .badAnswer: Row(exit: .unavailable, hint: "the endpoint did not answer like AWS KMS; check --kms-endpoint / AWS_ENDPOINT_URL_KMS")
        case .noCredentials: Row(exit: .configuration, hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials")
        case .noEndpoint: Row(exit: .configuration, hint: "give a Region (key ARN, region= in the SPEC, AWS_REGION) or --kms-endpoint URL")
        case .badIdentifier: Row(exit: .usage, hint: "key ARNs look like arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; alias ARNs like arn:aws:kms:REGION:ACCOUNT:alias/NAME")
        case .localKMSState: Row(exit: .configuration, hint: "use --kms-state DIR (or ENVELOPE_KMS_STATE) with a directory you own")
        case .badPolicyDocument: Row(exit: .dataError, hint: "fix the JSON; `envelope policy render` prints valid statements to start from")
        case .badAWSSetting: Row(exit: .configuration, hint: "fix the named environment variable or ~/.aws/config setting")
        case .cryptoLibrary: Row(exit: .failure, hint: nil)
        case .other: Row(exit: .failure, hint: nil)
        }
    }

    /// The kind of `error`, by type.
    init(classifying error: any Error) {
        switch error {
        case let e as EnvelopeError: self = Self.kind(of: e)
        case let e as KMSError: self = Self.kind(of: e.code)
        case let e as KMSDataKeyError: self = e.underlyingErrors.first.map(Self.init(classifying:)) ?? .kmsRefused
        case let e as AWSCallError: self = Self.kind(of: e)
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
        case .limitExceeded: return .limitExceeded
        case .signedSuiteRefused: return .signedRefused
        case .invalidArgument: return .invalidArgument
        case .io: return e.firstCause(IOFailure.self).map(kind(of:)) ?? .ioFailed
        default: break
        }
        // A keyring failure: the most telling typed cause decides. Credentials and transport
        // first (they explain every other failure), then what KMS answered.
        let causes = e.allCauses.map(CLIFailureKind.init(classifying:))
        for preferred in [CLIFailureKind.noCredentials, .kmsCredentialsRejected, .unreachable, .badAnswer, .noEndpoint,
                          .kmsAccessDenied, .kmsNotFound, .kmsUnavailable, .kmsInvalidRequest, .kmsRefused] where causes.contains(preferred) {
            return preferred
        }
        if e.code == .unableToDecryptDataKey { return .noDataKey }
        return causes.first { $0 != .other } ?? .other
    }

    /// KMS error codes by what the caller should do.
    private static func kind(of code: KMSErrorCode) -> CLIFailureKind {
        switch code {
        case .accessDenied: .kmsAccessDenied
        case .notFound: .kmsNotFound
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
        return CLIError(kind.row.exit, "\(action) failed: \(describe(error, names: names))",
                        hint: credentials.flatMap(AWSCredentialsWiring.hint(for:)) ?? kind.row.hint,
                        denial: kind == .kmsAccessDenied ? denialReason(in: error)?.missingSide : nil)
    }

    /// The local KMS's typed explanation of an AccessDeniedException, wherever it sits among the causes.
    static func denialReason(in error: any Error) -> KMSDenialReason? {
        if let kms = error as? KMSError { return kms.denialReason }
        let causes = (error as? EnvelopeError)?.allCauses ?? (error as? any ErrorWithCauses)?.underlyingErrors ?? []
        return causes.lazy.compactMap { ($0 as? KMSError)?.denialReason }.first
    }

    /// The error's own words on one line, with the per-key failures of a decrypt; I/O failures
    /// name the file as the user named it.
    static func describe(_ error: any Error, names: (input: String, output: String)?) -> String {
        guard let e = error as? EnvelopeError else { return oneLine(String(describing: error)) }
        if let io = e.firstCause(IOFailure.self) {
            var failure = io
            if io.path == nil, let names {
                let given = io.role == .input ? names.input : names.output
                let name = given == "-" ? (io.role == .input ? "standard input" : "standard output") : given
                failure = IOFailure(io.operation, role: io.role, path: name, errno: io.errno)
            }
            return "could not \(failure)"
        }
        var text = oneLine(e.message)
        if !e.dataKeyFailures.isEmpty {
            text += " — " + e.dataKeyFailures.map { oneLine($0.description) }.joined(separator: "; ")
        } else if let cause = e.causes.first, !(cause is LimitFailure) {
            // The cause's words, unless the message already says them (formatting only).
            let causeText = oneLine(String(describing: cause))
            if !text.contains(causeText) { text += " (\(causeText))" }
        }
        return text
    }

    /// Folds a multi-line description into one line (formatting only; never used to classify).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
