import Foundation

/// An AWS partition (a group of regions sharing DNS suffixes and ARN partition name).
///
/// Data from botocore `botocore/data/partitions.json` (Apache-2.0), as staged in the project's vectors.
public struct AWSEndpointPartition: Sendable, Equatable {
    /// Partition name as it appears in ARNs: `aws`, `aws-cn`, `aws-us-gov`, …
    public let name: String
    /// DNS suffix of regular endpoints.
    public let dnsSuffix: String
    /// DNS suffix of dual-stack endpoints.
    public let dualStackDnsSuffix: String
    /// Regular expression matching the partition's region names.
    public let regionPattern: String
    /// Regions the partition lists explicitly (matched before the patterns).
    public let regions: Set<String>

    /// Every known partition; `aws` first, which is also the fallback for unknown regions.
    public static let all: [AWSEndpointPartition] = [
        AWSEndpointPartition(
            name: "aws", dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws",
            regionPattern: #"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$"#,
            regions: ["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                      "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
                      "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global",
                      "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
                      "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
                      "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"]),
        AWSEndpointPartition(
            name: "aws-cn", dnsSuffix: "amazonaws.com.cn", dualStackDnsSuffix: "api.amazonwebservices.com.cn",
            regionPattern: #"^cn\-\w+\-\d+$"#, regions: ["aws-cn-global", "cn-north-1", "cn-northwest-1"]),
        AWSEndpointPartition(
            name: "aws-eusc", dnsSuffix: "amazonaws.eu", dualStackDnsSuffix: "api.amazonwebservices.eu",
            regionPattern: #"^eusc\-(de)\-\w+\-\d+$"#, regions: ["eusc-de-east-1"]),
        AWSEndpointPartition(
            name: "aws-iso", dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov",
            regionPattern: #"^us\-iso\-\w+\-\d+$"#, regions: ["aws-iso-global", "us-iso-east-1", "us-iso-west-1"]),
        AWSEndpointPartition(
            name: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud",
            regionPattern: #"^us\-isob\-\w+\-\d+$"#, regions: ["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"]),
        AWSEndpointPartition(
            name: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
            regionPattern: #"^eu\-isoe\-\w+\-\d+$"#, regions: ["aws-iso-e-global", "eu-isoe-west-1"]),
        AWSEndpointPartition(
            name: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov",
            regionPattern: #"^us\-isof\-\w+\-\d+$"#, regions: ["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"]),
        AWSEndpointPartition(
            name: "aws-us-gov", dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws",
            regionPattern: #"^us\-gov\-\w+\-\d+$"#, regions: ["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"]),
    ]

    /// The partition of `region`, as the endpoint rules' `aws.partition` function computes it:
    /// explicit region lists first, then the region patterns, else `aws`.
    public static func of(region: String) -> AWSEndpointPartition {
        if let listed = all.first(where: { $0.regions.contains(region) }) { return listed }
        if let matched = all.first(where: { $0.matches(region) }) { return matched }
        return all[0]
    }

    /// The partition whose ARN name is `name` (`aws`, `aws-cn`, …), if known.
    public static func named(_ name: String) -> AWSEndpointPartition? {
        all.first { $0.name == name }
    }

    func matches(_ region: String) -> Bool {
        region.range(of: regionPattern, options: .regularExpression) != nil
    }
}
