/// The ARN of a KMS alias: `arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME`.
///
/// Names an alias of a specific account and Region, so it can reach another account's alias where
/// a bare `alias/NAME` cannot. An alias is never a multi-Region key, even if its name starts with `mrk-`.
public struct KMSAliasARN: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The partition.
    public let partition: AWSPartition
    /// The alias's Region.
    public let region: AWSRegion
    /// The account the alias lives in.
    public let account: AWSAccountID
    /// The alias name (`alias/NAME`).
    public let aliasName: KMSAliasName

    static let expectedForm = "arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME, e.g. arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias"

    /// Builds an alias ARN from its parts; the partition is the region's.
    public init(region: AWSRegion, account: AWSAccountID, aliasName: KMSAliasName) {
        self.partition = region.partition
        self.region = region
        self.account = account
        self.aliasName = aliasName
    }

    /// Parses an alias ARN; the error names the wrong part.
    /// Spec: framework/aws-kms/aws-kms-key-arn.md, "A valid AWS KMS ARN".
    public init(parsing text: String) throws(KMSIdentifierError) {
        let arn = try ARNComponents(parsing: text, expectedForm: Self.expectedForm)
        let parsed = try KMSResourceARN(arn, input: text, expectedForm: Self.expectedForm)
        guard case .alias(let alias) = parsed else {
            throw KMSIdentifierError(part: .resourceType, input: text, message: "this is a key ARN, not an alias ARN")
        }
        self = alias
    }

    /// Parses an alias ARN, returning `nil` on malformed input.
    public init?(_ description: String) {
        guard let arn = try? KMSAliasARN(parsing: description) else { return nil }
        self = arn
    }

    /// The ARN text.
    public var description: String { "arn:\(partition.rawValue):kms:\(region.rawValue):\(account.rawValue):\(aliasName.rawValue)" }

    /// Decodes and validates an alias ARN.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(parsing: text) }
    }

    /// Encodes the ARN text.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(description)
    }
}

/// A parsed KMS ARN of either resource type.
enum KMSResourceARN {
    case key(KMSKeyARN)
    case alias(KMSAliasARN)

    init(_ arn: ARNComponents, input: String, expectedForm: String) throws(KMSIdentifierError) {
        guard arn.service == "kms" else {
            throw KMSIdentifierError(part: .service, input: input, message: "the service is \"\(arn.service)\", a KMS ARN has \"kms\"; expected \(expectedForm)")
        }
        let region = try AWSRegion(validating: arn.region, in: input)
        guard region.partition == arn.partition else {
            throw KMSIdentifierError(part: .region, input: input, message: "region \(region) belongs to partition \(region.partition), not \(arn.partition)")
        }
        let account = try AWSAccountID(validating: arn.account, in: input)
        let (type, id) = try arn.resourceTypeAndID(in: input, expectedForm: expectedForm)
        switch type {
        case "key":
            self = .key(KMSKeyARN(region: region, account: account, keyID: try KMSKeyID(validating: id, in: input)))
        case "alias":
            self = .alias(KMSAliasARN(region: region, account: account, aliasName: try KMSAliasName(validating: "alias/" + id, in: input)))
        default:
            throw KMSIdentifierError(part: .resourceType, input: input, message: "the resource type is \"\(type)\", expected \"key\" or \"alias\"")
        }
    }
}
