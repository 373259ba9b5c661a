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

extension CLIError {
    /// Translates any error thrown while running a command into a `CLIError`.
    static func from(_ error: any Error, doing action: String) -> CLIError {
        if let e = error as? CLIError { return e }
        if let e = error as? EnvelopeError { return from(envelope: e, doing: action) }
        if let e = error as? KMSError { return from(kms: e, doing: action) }
        if let e = error as? AWSCallError {
            switch e.failure {
            case .service(let response):
                return from(kms: KMSError(code: KMSErrorCode(rawValue: response.code), message: response.message), doing: action)
            case .credentials:
                return CLIError(.configuration, "\(action) failed: \(oneLine(e.description))",
                                hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials")
            case .transport(let failure):
                return from(failure, doing: action)
            }
        }
        if let e = error as? AWSTransportError {
            return CLIError(.unavailable, "\(action) failed: \(oneLine(e.description))",
                            hint: "check --kms-endpoint / AWS_ENDPOINT_URL_KMS and the network")
        }
        if let e = error as? AWSConfigurationError {
            return CLIError(.configuration, "\(action) failed: \(e.description)")
        }
        if let e = error as? AWSCredentialsError {
            return CLIError(.configuration, "\(action) failed: \(oneLine(e.description))",
                            hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials")
        }
        if let e = error as? KMSEndpointError {
            return CLIError(.configuration, "\(action) failed: \(oneLine(e.description))",
                            hint: "give a Region (key ARN, region= in the SPEC, AWS_REGION) or --kms-endpoint URL")
        }
        if let e = error as? KMSIdentifierError {
            return .usage("\(action) failed: \(e.description)", hint: "key ARNs look like arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; alias ARNs like arn:aws:kms:REGION:ACCOUNT:alias/NAME")
        }
        if let e = error as? LocalKMSStateError {
            return CLIError(.configuration, "\(action) failed: \(oneLine(e.description))",
                            hint: "use --kms-state DIR (or ENVELOPE_KMS_STATE) with a directory you own")
        }
        if let e = error as? PolicyDocumentError {
            return CLIError(.dataError, "\(action) failed: the policy document is not valid: \(oneLine(e.message))",
                            hint: "fix the JSON; `envelope policy render` prints valid statements to start from")
        }
        if let e = error as? CryptoError {
            return CLIError(.failure, "\(action) failed: \(oneLine(e.description))")
        }
        return CLIError(.failure, "\(action) failed: \(oneLine(String(describing: error)))")
    }

    static func from(kms e: KMSError, doing action: String) -> CLIError {
        let text = "\(action) failed: \(oneLine(e.description))"
        switch e.code {
        case .accessDenied:
            return CLIError(.accessDenied, text, hint: "both the key policy and the caller's IAM policy must allow the action; `envelope kms get-key-policy --key ARN` shows the key policy")
        case .notFound:
            return CLIError(.accessDenied, text, hint: "a key of another account must be named by its key ARN or alias ARN; a bare key ID or alias/NAME always resolves in the caller's own account")
        case .malformedPolicyDocument, .validation:
            return CLIError(.dataError, text, hint: "fix the request or the policy document and try again")
        case .throttling, .internalError, .dependencyTimeout, .keyUnavailable:
            return CLIError(.unavailable, text, hint: "KMS is busy or unavailable; try again later")
        case _ where credentialCodes.contains(e.code.rawValue):
            return CLIError(.configuration, text, hint: "check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the clock")
        default:
            return CLIError(.accessDenied, text)
        }
    }

    static func from(envelope e: EnvelopeError, doing action: String) -> CLIError {
        var text = "\(action) failed: \(oneLine(e.message))"
        if !e.dataKeyFailures.isEmpty {
            text += " — " + e.dataKeyFailures.map { oneLine($0.description) }.joined(separator: "; ")
        } else if let cause = e.causes.first {
            let causeText = oneLine(String(describing: cause))
            if !text.contains(causeText) { text += " (\(causeText))" }
        }
        let kmsCodes = kmsErrorCodes(in: e)
        switch e.code {
        case .malformedMessage, .authenticationFailed, .commitmentPolicyViolation, .tooManyEncryptedDataKeys,
             .encryptionContextMismatch, .limitExceeded:
            return CLIError(.dataError, text, hint: hint(for: e.code))
        case .base64EncodedMessage:
            return CLIError(.dataError, text, hint: "decode it first, e.g. `base64 -d IN | envelope decrypt -i - …`")
        case .unableToDecryptDataKey where kmsCodes.contains(where: credentialCodes.contains) || kmsCodes.contains("CredentialsFailure"):
            return CLIError(.configuration, text, hint: "check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the clock")
        case .unableToDecryptDataKey where transportFailure(in: e) != nil:
            return from(transportFailure(in: e)!, doing: action).with(message: text)
        case .unableToDecryptDataKey where kmsCodes.contains("TransportFailure"):
            return CLIError(.unavailable, text, hint: "check --kms-endpoint / AWS_ENDPOINT_URL_KMS and the network")
        case .unableToDecryptDataKey:
            return CLIError(.accessDenied, text, hint: kmsCodes.contains(KMSErrorCode.accessDenied.rawValue)
                ? "the caller needs kms:Decrypt in both the key policy and its IAM policy"
                : "pass a -w SPEC (or --discovery) for one of the keys listed above")
        case .invalidArgument:
            return CLIError(.usage, text, hint: "see `envelope encrypt --help`")
        case .io:
            return CLIError(.ioError, text)
        default:
            if kmsCodes.contains("CredentialsFailure") || e.causes.contains(where: { ($0 as? AWSCallError)?.credentialsError != nil }) {
                return CLIError(.configuration, text, hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials")
            }
            if kmsCodes.contains(where: { [KMSErrorCode.throttling, .internalError, .dependencyTimeout, .keyUnavailable].map(\.rawValue).contains($0) })
                || containsCallError(e) {
                return CLIError(.unavailable, text, hint: "check that the KMS endpoint is reachable")
            }
            if !kmsCodes.isEmpty {
                return from(kms: KMSError(code: KMSErrorCode(rawValue: kmsCodes[0]), message: ""), doing: action).with(message: text)
            }
            return CLIError(.failure, text)
        }
    }

    private func with(message: String) -> CLIError {
        var copy = self
        copy.message = message
        return copy
    }

    private static func hint(for code: EnvelopeError.Code) -> String {
        switch code {
        case .commitmentPolicyViolation: "choose another --algorithm, or --commitment-policy require-encrypt-allow-decrypt to read older messages"
        case .tooManyEncryptedDataKeys: "raise --max-encrypted-data-keys or use fewer -w keys"
        case .encryptionContextMismatch: "the -c pairs must match the message's encryption context (see --metadata-output)"
        case .authenticationFailed: "the message was modified or truncated; do not use it"
        default: "check that the input is a complete AWS Encryption SDK message"
        }
    }

    /// KMS error codes anywhere in the error's causes or per-key failures.
    static func kmsErrorCodes(in error: any Error) -> [String] {
        var out: [String] = []
        func walk(_ error: any Error, depth: Int) {
            guard depth < 8 else { return }
            if let k = error as? KMSError { out.append(k.code.rawValue) }
            if let k = error as? KMSDataKeyError {
                switch k.reason {
                case .kms(let kms): out.append(kms.code.rawValue)
                case .transport(let text):
                    // The transport's text of an AWSCallError: "<operation> failed: credentials: …".
                    out.append(text.contains("failed: credentials:") ? "CredentialsFailure" : "TransportFailure")
                default: break
                }
            }
            if let e = error as? EnvelopeError {
                e.causes.forEach { walk($0, depth: depth + 1) }
                for failure in e.dataKeyFailures {
                    for code in knownKMSCodes where failure.reason.contains(code) { out.append(code) }
                }
            }
        }
        walk(error, depth: 0)
        return out
    }

    static let credentialCodes: Set<String> = ["UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
                                                "IncompleteSignature", "MissingAuthenticationToken", "ExpiredTokenException", "InvalidClientTokenId"]

    private static let knownKMSCodes = ["AccessDeniedException", "NotFoundException", "DisabledException", "KMSInvalidStateException",
                                        "IncorrectKeyException", "InvalidCiphertextException", "ThrottlingException",
                                        "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch"]

    /// The first ``AWSTransportError`` among the causes (a request that got no answer).
    private static func transportFailure(in error: any Error) -> AWSTransportError? {
        if let e = error as? AWSTransportError { return e }
        if let e = error as? AWSCallError { return e.transportError }
        if let e = error as? EnvelopeError { return e.causes.lazy.compactMap(transportFailure(in:)).first }
        return nil
    }

    private static func containsCallError(_ error: any Error) -> Bool {
        if error is AWSCallError || error is AWSTransportError { return true }
        if let k = error as? KMSDataKeyError, case .transport = k.reason { return true }
        if let e = error as? EnvelopeError { return e.causes.contains(where: containsCallError) }
        return false
    }

    /// Folds a multi-line description into one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
