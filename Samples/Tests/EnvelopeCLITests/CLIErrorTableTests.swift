#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import EnvelopeCLICore
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
@testable import EnvelopeKMSHTTP
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing

/// A transport failure as the HTTP transport reports it (any type conforming to the protocol).
private struct SampleTransportFailure: TransportFailure {
    var transportFailureKind: TransportFailureKind
    var url: String
}

@Suite("CLI error table: error type → kind → exit status and hint")
struct CLIErrorTableTests {
    static let key = KMSKeyIdentifier.keyARN(try! KMSKeyARN(parsing: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))

    static let alias = KMSKeyIdentifier.aliasName(try! KMSAliasName(validating: "alias/SharedKey"))

    static func kms(_ code: KMSErrorCode, key: KMSKeyIdentifier = key) -> any Error {
        // As a keyring reports it: the KMS error inside the per-call error inside the EnvelopeError.
        EnvelopeError(.unableToDecryptDataKey, "no key", causes: [KMSDataKeyError(key: key, action: .decrypt,
                                                                                  reason: .kms(KMSError(code: code, message: "m")))])
    }

    static func io(_ operation: IOFailure.Operation, _ role: IOFailure.Role, path: String?, _ errno: Int32) -> any Error {
        EnvelopeError(.io, "io", causes: [IOFailure(operation, role: role, path: path, descriptor: path == nil ? 1 : nil, errno: errno)])
    }

    /// One error per row of the table.
    static let samples: [CLIFailureKind: any Error] = [
        .malformedMessage: EnvelopeError(.malformedMessage, "m"),
        .base64Message: EnvelopeError(.base64EncodedMessage, "m"),
        .authenticationFailed: EnvelopeError(.authenticationFailed, "m"),
        .commitmentPolicy: EnvelopeError(.commitmentPolicyViolation, "m"),
        .tooManyDataKeys: EnvelopeError(.tooManyEncryptedDataKeys, "m", causes: [LimitFailure(.encryptedDataKeys, value: 3, maximum: 2)]),
        .contextMismatch: EnvelopeError(.encryptionContextMismatch, "m"),
        .limitExceeded: EnvelopeError(.limitExceeded, "m", causes: [LimitFailure(.frameCount, value: 1 << 32, maximum: 1 << 32 - 1)]),
        .frameTooLarge: EnvelopeError(.limitExceeded, "m", causes: [LimitFailure(.frameLength, value: 1 << 30, maximum: 1 << 26)]),
        .headerTooLarge: EnvelopeError(.limitExceeded, "m", causes: [LimitFailure(.headerLength, value: 1 << 21, maximum: 1 << 20)]),
        .bodyTooLarge: EnvelopeError(.limitExceeded, "m", causes: [LimitFailure(.nonFramedBodyLength, value: 1 << 30, maximum: 1 << 26)]),
        .noDataKey: EnvelopeError(.unableToDecryptDataKey, "m", dataKeyFailures: [.init(providerID: "p", keyName: "k", keyring: "r", reason: "wrong key")]),
        .wrongWrappingKey: EnvelopeError(.unableToDecryptDataKey, "m", causes: [CryptoError(.authenticationFailed, "tag mismatch")],
                                         dataKeyFailures: [.init(providerID: "p", keyName: "k", keyring: "r", reason: "AES-GCM unwrap failed")]),
        .invalidArgument: EnvelopeError(.invalidArgument, "m"),
        .inputUnreadable: io(.open, .input, path: "in.bin", ENOENT),
        .outputExists: io(.exists, .output, path: "out.bin", EEXIST),
        .ioFailed: io(.write, .output, path: nil, EPIPE),
        .kmsAccessDenied: kms(.accessDenied),
        .kmsNotFound: kms(.notFound, key: alias),
        .kmsNotFoundByARN: kms(.notFound),
        .kmsKeyDisabled: kms(.disabled),
        .kmsInvalidRequest: KMSError(code: .malformedPolicyDocument, message: "m"),
        .kmsUnavailable: kms(.throttling),
        .kmsCredentialsRejected: kms(.unrecognizedClient),
        .kmsRefused: kms(.invalidKeyUsage),
        .unreachable: EnvelopeError(.unableToDecryptDataKey, "m", causes: [
            KMSDataKeyError(key: key, action: .decrypt, reason: .transport(SampleTransportFailure(transportFailureKind: .connect, url: "http://127.0.0.1:9"))),
        ]),
        .badAnswer: SampleTransportFailure(transportFailureKind: .malformedResponse, url: "http://127.0.0.1:9"),
        .noCredentials: EnvelopeError(.keyringFailure, "m", causes: [AWSCredentialsError(.notConfigured, "no credentials")]),
        .noEndpoint: KMSEndpointError(message: "Invalid Configuration: Missing Region"),
        .badIdentifier: KMSIdentifierError(part: KMSIdentifierError.Part(rawValue: "key"), input: "x", message: "not an ARN"),
        .localKMSState: LocalKMSStateError("unreadable"),
        .badPolicyDocument: PolicyDocumentError("not JSON"),
        .badAWSSetting: AWSConfigurationError(setting: "AWS_MAX_ATTEMPTS", value: "0", expected: "a whole number greater than 0"),
        .cryptoLibrary: CryptoError(.libraryFailure, "EVP failed"),
        .signedRefused: EnvelopeError(.signedSuiteRefused, "the message is signed"),
        .other: EnvelopeError(.keyringFailure, "a keyring returned nothing"),
        .branchKeyTableMissing: BranchKeyStoreError(.tableNotFound, "table t does not exist", cause: DynamoDBError(code: .resourceNotFound, message: "m")),
        .branchKeyNotFound: BranchKeyStoreError(.itemNotFound, branchKeyIdentifier: "b", "no item"),
        .branchKeyExists: BranchKeyStoreError(.branchKeyExists, branchKeyIdentifier: "b", "exists"),
        .branchKeyConflict: BranchKeyStoreError(.concurrentModification, branchKeyIdentifier: "b", "changed"),
        .branchKeyKMSKeyMismatch: BranchKeyStoreError(.kmsKeyNotAllowed, branchKeyIdentifier: "b", "another key"),
        .branchKeyItemInvalid: BranchKeyStoreError(.malformedItem, branchKeyIdentifier: "b", "no enc"),
        .dynamoDBUnreachable: BranchKeyStoreError(.dynamoDBCallFailed, "GetItem failed",
                                                  cause: SampleTransportFailure(transportFailureKind: .connect, url: "http://127.0.0.1:9")),
        .dynamoDBUnavailable: BranchKeyStoreError(.dynamoDBCallFailed, "GetItem failed", cause: DynamoDBError(code: .throttling, message: "m")),
        .dynamoDBRefused: DynamoDBError(code: .accessDenied, message: "m"),
    ]

    @Test("every row: its sample error is classified as that kind and gets the row's exit status and hint",
          arguments: CLIFailureKind.allCases)
    func row(kind: CLIFailureKind) throws {
        let error = try #require(Self.samples[kind], "no sample error for \(kind)")
        #expect(CLIFailureKind(classifying: error) == kind)
        let cli = CLIError.from(error, doing: "decrypt m.enc")
        #expect(cli.exitCode == kind.row.exit)
        #expect(cli.hint == kind.row.hint)
        #expect(cli.message.hasPrefix("decrypt m.enc failed: "))
    }

    @Test("a hint never contradicts the error: NotFound for an ARN is not the cross-account hint; a disabled key has one; messages end with one period")
    func hintsMatch() {
        let byARN = CLIError.from(Self.kms(.notFound), doing: "encrypt")
        #expect(!(byARN.hint ?? "").contains("another account"))
        #expect(CLIError.from(Self.kms(.notFound, key: Self.alias), doing: "encrypt").hint?.contains("another account") == true)
        #expect(CLIError.from(Self.kms(.disabled), doing: "encrypt").hint?.contains("enable-key") == true)
        #expect(CLIError.from(Self.kms(.invalidState), doing: "encrypt").hint?.contains("enable-key") == true)
        for kind in CLIFailureKind.allCases {
            let cli = CLIError.from(Self.samples[kind]!, doing: "decrypt m.enc")
            #expect(!cli.message.contains(".."), "\(kind): \(cli.message)")
            #expect(cli.message.count < 200, "\(kind): \(cli.message)")
            // Only "no key matched" suggests another -w.
            #expect(kind.row.hint.map { !$0.contains("-w SPEC") } ?? true || kind == .noDataKey, "\(kind)")
        }
    }

    @Test("a decrypt limit is reported with the CLI's option, never the library's name")
    func limitWords() {
        for kind in [CLIFailureKind.frameTooLarge, .headerTooLarge, .bodyTooLarge] {
            let cli = CLIError.from(Self.samples[kind]!, doing: "decrypt m.enc")
            #expect(cli.message.contains("--max-"), "\(cli.message)")
            #expect(!cli.message.contains("DecryptionLimits") && !cli.message.contains("maxFrameLength"), "\(cli.message)")
        }
    }

    @Test("an unreachable endpoint is exit 69 and never suggests -w, however deep the transport failure is")
    func unreachable() {
        let connect = SampleTransportFailure(transportFailureKind: .connect, url: "http://127.0.0.1:9")
        let refused = AWSTransportError(operation: "TrentService.Decrypt", url: "http://127.0.0.1:9",
                                        detail: .connect(underlying: connect), attempts: 3, stopReason: .attemptsExhausted)
        let call = AWSCallError(operation: "TrentService.Decrypt", url: "http://127.0.0.1:9", failure: .transport(refused), attempts: 3, stopReason: .attemptsExhausted)
        for error: any Error in [connect, refused, call, Self.samples[.unreachable]!,
                                 EnvelopeError(.keyringFailure, "m", causes: [KMSDataKeyError(key: Self.key, action: .generateDataKey, reason: .transport(call))])] {
            let cli = CLIError.from(error, doing: "encrypt")
            #expect(cli.exitCode == .unavailable, "\(error)")
            #expect(!(cli.hint ?? "").contains("-w"), "\(error)")
        }
    }

    @Test("AWS call errors are classified by their typed failure")
    func awsCallErrors() {
        let url = "https://kms.us-east-1.amazonaws.com"
        let service = AWSCallError(operation: "TrentService.Decrypt", url: url, failure: .service(AWSErrorResponse(status: 400, code: "AccessDeniedException", message: "no")),
                                   attempts: 1, stopReason: .notRetryable)
        #expect(CLIFailureKind(classifying: service) == .kmsAccessDenied)
        let credentials = AWSCallError(operation: "TrentService.Decrypt", url: url, failure: .credentials(AWSCredentialsError(.notConfigured, "none")),
                                       attempts: 1, stopReason: .notRetryable)
        #expect(CLIFailureKind(classifying: credentials) == .noCredentials)
        let html = AWSTransportError(operation: "x", url: url, detail: .malformedResponse(status: 200, what: "is not JSON"))
        #expect(CLIFailureKind(classifying: AWSCallError(operation: "x", url: url, failure: .transport(html), attempts: 1, stopReason: .notRetryable)) == .badAnswer)
        #expect(CLIFailureKind(classifying: html) == .badAnswer)
        let tls = AWSTransportError(operation: "x", url: url, detail: .tls(underlying: html))
        #expect(CLIFailureKind(classifying: tls) == .unreachable)
    }

    @Test("I/O failures on descriptors are named as the user named them")
    func ioNames() {
        let read = EnvelopeError(.io, "io", causes: [IOFailure(.read, role: .input, path: nil, descriptor: 0, errno: EIO)])
        #expect(CLIError.from(read, doing: "decrypt -", names: ("-", "out.bin")).message.contains("read standard input"))
        let write = EnvelopeError(.io, "io", causes: [IOFailure(.write, role: .output, path: nil, descriptor: 7, errno: ENOSPC)])
        #expect(CLIError.from(write, doing: "encrypt a", names: ("a", "a.enc")).message.contains("write a.enc"))
    }
}
