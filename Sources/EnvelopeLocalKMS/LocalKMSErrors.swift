import EnvelopeKMS
import EnvelopeKMSPolicy

/// The KMS errors the local KMS answers, worded as AWS words them.
enum LocalKMSErrors {
    static func keyNotFound(_ arn: KMSKeyARN) -> KMSError {
        KMSError(code: .notFound, message: "Key '\(arn)' does not exist")
    }

    static func bareKeyIDNotFound(_ id: KMSKeyID, caller: AWSPrincipalARN, region: AWSRegion) -> KMSError {
        let own = KMSKeyARN(region: region, account: caller.account, keyID: id)
        return KMSError(code: .notFound, message: "Key '\(own)' does not exist. A bare key ID always names a key in your own account (\(caller.account)) and Region (\(region)); to use a key of another account, pass its key ARN: arn:\(region.partition):kms:\(region):ACCOUNT-ID:key/\(id)")
    }

    static func aliasNotFound(_ arn: KMSAliasARN) -> KMSError {
        KMSError(code: .notFound, message: "Alias \(arn) is not found.")
    }

    static func bareAliasNotFound(_ name: KMSAliasName, caller: AWSPrincipalARN, region: AWSRegion) -> KMSError {
        let own = KMSAliasARN(region: region, account: caller.account, aliasName: name)
        return KMSError(code: .notFound, message: "Alias \(own) is not found. A bare alias name always resolves in your own account (\(caller.account)) and Region (\(region)); to use an alias of another account, pass its alias ARN: arn:\(region.partition):kms:\(region):ACCOUNT-ID:\(name)")
    }

    /// A key or alias ARN of another Region than the request's: AWS answers NotFoundException
    /// "Invalid arn <the ARN's Region>".
    static func wrongRegion(_ arnRegion: AWSRegion) -> KMSError {
        KMSError(code: .notFound, message: "Invalid arn \(arnRegion)")
    }

    static func disabled(_ arn: KMSKeyARN) -> KMSError {
        KMSError(code: .disabled, message: "\(arn) is disabled.")
    }

    static func pendingDeletion(_ arn: KMSKeyARN) -> KMSError {
        KMSError(code: .invalidState, message: "\(arn) is pending deletion.")
    }

    static func accessDenied(caller: AWSPrincipalARN, action: KMSAction, key: KMSKeyARN, reason: KMSDenialReason) -> KMSError {
        KMSError(code: .accessDenied, message: KMSAccessEvaluator.accessDeniedMessage(caller: caller, action: action, keyARN: key, reason: reason),
                 denialReason: reason)
    }

    /// Decrypt without a KeyId when the ciphertext's key does not exist in the request's Region
    /// (or at all): AWS answers AccessDeniedException with this wording.
    static let ciphertextKeyUnavailable = KMSError(code: .accessDenied, message: "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")

    /// Too large a key policy (PutKeyPolicy / CreateKey: "If the key policy exceeds the length
    /// constraint, KMS returns a LimitExceededException").
    static func policyTooLarge(_ size: Int) -> KMSError {
        KMSError(code: .limitExceeded, message: "The key policy is \(size) bytes; the limit is 32768 bytes (32 KiB).")
    }

    /// A key policy naming a principal that does not exist.
    static let invalidPrincipals = KMSError(code: .malformedPolicyDocument, message: "Policy contains a statement with one or more invalid principals.")

    /// A key policy failing the policy lockout safety check.
    static let lockout = KMSError(code: .malformedPolicyDocument, message: "The new key policy will not allow you to update the key policy in the future.")

    static let dryRun = KMSError(code: .dryRunOperation, message: "The request would have succeeded, but the DryRun option is set.")

    static let invalidCiphertext = KMSError(code: .invalidCiphertext, message: "The ciphertext is invalid, or was not encrypted under this key with this encryption context.")

    static func incorrectKey(requested: KMSKeyARN) -> KMSError {
        KMSError(code: .incorrectKey, message: "The key ID in the request (\(requested)) does not identify a KMS key that can perform this operation: the ciphertext was encrypted under a different key.")
    }

    static func validation(_ message: String) -> KMSError { KMSError(code: .validation, message: message) }

    static func invalidGrantToken() -> KMSError {
        KMSError(code: .invalidGrantToken, message: "A grant token provided as part of the request is invalid.")
    }

    static func malformedPolicy(_ error: PolicyDocumentError) -> KMSError {
        KMSError(code: .malformedPolicyDocument, message: error.message)
    }
}
