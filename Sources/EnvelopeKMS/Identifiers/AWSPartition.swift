/// An AWS partition: the first component after `arn:` in every ARN.
///
/// Every partition of the AWS partitions metadata (`partitions.json`, as in the endpoint rules);
/// region names are checked against each partition's region pattern.
public enum AWSPartition: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The commercial partition.
    case aws = "aws"
    /// The China partition.
    case awsCN = "aws-cn"
    /// AWS GovCloud (US).
    case awsUSGov = "aws-us-gov"
    /// AWS ISO (US).
    case awsISO = "aws-iso"
    /// AWS ISOB (US).
    case awsISOB = "aws-iso-b"
    /// AWS ISOE (Europe).
    case awsISOE = "aws-iso-e"
    /// AWS ISOF (US).
    case awsISOF = "aws-iso-f"
    /// AWS European Sovereign Cloud.
    case awsEUSC = "aws-eusc"

    /// The partition name as it appears in ARNs.
    public var description: String { rawValue }

    /// The partition a region belongs to, or `nil` if the name fits none of them.
    public static func containing(region: String) -> AWSPartition? {
        // Order matters: the more specific four-part patterns (`us-gov-`, `us-iso…-`, `eu-isoe-`, `eusc-de-`) first.
        for partition in [AWSPartition.awsUSGov, .awsISOB, .awsISOF, .awsISO, .awsISOE, .awsEUSC, .awsCN, .aws] where partition.matches(region: region) {
            return partition
        }
        return nil
    }

    /// Whether `region` matches this partition's region pattern
    /// (e.g. `^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$` for `aws`).
    public func matches(region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func word(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
        func number(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        switch self {
        case .aws:
            let prefixes: Set<String> = ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"]
            return parts.count == 3 && prefixes.contains(parts[0]) && word(parts[1]) && number(parts[2])
        case .awsCN:
            return parts.count == 3 && parts[0] == "cn" && word(parts[1]) && number(parts[2])
        case .awsUSGov:
            return parts.count == 4 && parts[0] == "us" && parts[1] == "gov" && word(parts[2]) && number(parts[3])
        case .awsISO:
            return parts.count == 4 && parts[0] == "us" && parts[1] == "iso" && word(parts[2]) && number(parts[3])
        case .awsISOB:
            return parts.count == 4 && parts[0] == "us" && parts[1] == "isob" && word(parts[2]) && number(parts[3])
        case .awsISOE:
            return parts.count == 4 && parts[0] == "eu" && parts[1] == "isoe" && word(parts[2]) && number(parts[3])
        case .awsISOF:
            return parts.count == 4 && parts[0] == "us" && parts[1] == "isof" && word(parts[2]) && number(parts[3])
        case .awsEUSC:
            return parts.count == 4 && parts[0] == "eusc" && parts[1] == "de" && word(parts[2]) && number(parts[3])
        }
    }

    /// Parses a partition name, naming the supported ones on failure.
    public static func parse(_ text: String, in input: String) throws(KMSIdentifierError) -> AWSPartition {
        try KMSIdentifierError.validate(
            text, in: input, part: .partition,
            ifEmpty: "the partition is empty; use one of \(supportedList)",
            ifInvalid: "\"\(text)\" is not a supported partition; use one of \(supportedList)",
            AWSPartition.init(rawValue:))
    }

    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
