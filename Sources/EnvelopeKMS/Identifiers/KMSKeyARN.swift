/// The ARN of a KMS key: `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID`.
///
/// The only form that names one key in one account and Region unambiguously; KMS returns it as
/// `KeyId` in every response, and it is what another account must use.
public struct KMSKeyARN: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The partition (`aws`, `aws-cn`, …).
    public let partition: AWSPartition
    /// The key's Region.
    public let region: AWSRegion
    /// The account that owns the key.
    public let account: AWSAccountID
    /// The key ID.
    public let keyID: KMSKeyID

    static let expectedForm = "arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID, e.g. arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    /// Builds a key ARN from its parts; the partition is the region's.
    public init(region: AWSRegion, account: AWSAccountID, keyID: KMSKeyID) {
        self.partition = region.partition
        self.region = region
        self.account = account
        self.keyID = keyID
    }

    /// Parses a key ARN; the error names the wrong part (prefix, partition, service, region,
    /// account, resource type or key ID).
    /// Spec: framework/aws-kms/aws-kms-key-arn.md, "A valid AWS KMS ARN" (plus AWS's stricter
    /// rules for partitions, regions, 12-digit accounts and key IDs).
    public init(parsing text: String) throws(KMSIdentifierError) {
        let arn = try ARNComponents(parsing: text, expectedForm: Self.expectedForm)
        let parsed = try KMSResourceARN(arn, input: text, expectedForm: Self.expectedForm)
        guard case .key(let key) = parsed else {
            throw KMSIdentifierError(part: .resourceType, input: text, message: "this is an alias ARN, not a key ARN; use the key ARN (…:key/KEY-ID) or resolve the alias first")
        }
        self = key
    }

    /// Parses a key ARN, returning `nil` on malformed input.
    public init?(_ description: String) {
        guard let arn = try? KMSKeyARN(parsing: description) else { return nil }
        self = arn
    }

    /// Whether the key is a multi-Region key (its ID starts with `mrk-`).
    /// Spec: framework/aws-kms/aws-kms-key-arn.md, "Identifying an an AWS KMS multi-Region ARN".
    public var isMultiRegion: Bool { keyID.isMultiRegion }

    /// The ARN text.
    public var description: String { "arn:\(partition.rawValue):kms:\(region.rawValue):\(account.rawValue):key/\(keyID.rawValue)" }

    /// Decodes and validates a key ARN.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(parsing: text) }
    }

    /// Encodes the ARN text.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(description)
    }
}
