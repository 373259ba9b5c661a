import EnvelopeCore

/// The known reasons the two implementations may disagree, each a place where the Python ESDK
/// departs from the specification (awslabs/aws-encryption-sdk-specification) or where EnvelopeKit
/// applies a documented, configurable resource limit. A disagreement that fits none is a finding.
enum Explanation: String, CaseIterable {
    /// Python decrypts a complete message followed by more bytes and ignores the rest.
    /// Spec client-apis/decrypt.md, "Operation": "If this operation successfully completes the above
    /// steps but there are available bytes which have not been processed, this operation MUST fail."
    case trailingBytes = "python-ignores-trailing-bytes"
    /// Python's master-key provider stops at the first EDK whose raw AES unwrap fails with
    /// cryptography's InvalidTag (only DecryptKeyError, IncorrectMasterKeyError and
    /// InvalidDataKeyError move it to the next EDK), so a later EDK that decrypts is never tried.
    /// Spec framework/raw-aes-keyring.md and raw-rsa-keyring.md ("OnDecrypt"): the keyring attempts
    /// each encrypted data key and fails only if none decrypts; framework/multi-keyring.md likewise.
    case edkLoopAborts = "python-stops-at-first-failing-aes-edk"
    /// Python reads a non-empty AAD field holding a pair count of 0 as an empty encryption context.
    /// Spec data-format/message-header.md, "Key Value Pairs Length": for an empty context "the value
    /// of this field MUST be 0", and "Key Value Pair Count": "The value of this field MUST be greater than 0".
    case zeroPairCount = "python-accepts-context-pair-count-0"
    /// EnvelopeKit refuses a framed message whose header declares frames of 0 bytes; Python reads one
    /// when its body is a lone empty final frame. No conforming writer produces it (spec
    /// client-apis/encrypt.md, "Frame Length": "This value MUST be greater than 0"), and the decrypt
    /// spec does not require reading it. Refusing it also rules out bodies of any number of empty
    /// regular frames. A deliberate strictness of ours, kept.
    case framedFrameLengthZero = "envelopekit-refuses-framed-frame-length-0"
    /// EnvelopeKit refuses a message that exceeds a DecryptionLimits bound (64 MiB frames by
    /// default; configurable). The Python ESDK has no such limit.
    case resourceLimit = "envelopekit-decryption-limit"

    /// Which explanation fits a disagreement, if any. `rsaOnly` asks the Python ESDK to decrypt the
    /// mutant with the RSA key alone.
    static func classify(mutant: [UInt8], base: BaseMessage, ours: Result<[UInt8], EnvelopeError>, theirs: ESDKWorker.Answer,
                         rsaOnly: () throws -> ESDKWorker.Answer) -> Explanation? {
        switch (ours, theirs) {
        case (.failure(let error), .success(let plaintext)):
            if error.code == .limitExceeded { return .resourceLimit }
            if mutant.count > base.bytes.count, mutant.starts(with: base.bytes), plaintext == base.plaintext { return .trailingBytes }
            if contextField(of: mutant) == [0, 0] { return .zeroPairCount }
            var zeroFrames = base.header
            zeroFrames.frameLength = 0
            if zeroFrames.retag(dataKey: base.dataKey), mutant == zeroFrames.bytes + base.bytes[base.layout.headerLength...] {
                return .framedFrameLengthZero
            }
            return nil
        case (.success(let plaintext), .failure(let type)):
            guard type == "InvalidTag", base.header.edks.count >= 2,
                  case .success(let rsaPlaintext)? = try? rsaOnly(), rsaPlaintext == plaintext else { return nil }
            return .edkLoopAborts
        default:
            return nil
        }
    }

    /// The AAD (serialized context) field of a message's header, read without validating it.
    static func contextField(of message: [UInt8]) -> [UInt8]? {
        var cursor = Cursor(message)
        guard let version = cursor.uint(1) else { return nil }
        let messageIDLength = version == 1 ? 16 : 32
        guard cursor.take(version == 1 ? 3 : 2) != nil, cursor.take(messageIDLength) != nil else { return nil }
        return cursor.prefixed()
    }
}
