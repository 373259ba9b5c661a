/// The six `:`-separated parts of an ARN, split as the ESDK spec requires.
///
/// Spec: framework/aws-kms/aws-kms-key-arn.md, "A valid AWS KMS ARN": `arn`, a partition, a
/// service, a region, an account, and a resource split on the first `/` (later `/` stay in the id).
/// Splitting stops after the fifth `:` so that alias names, which may contain `:`, survive.
struct ARNComponents: Sendable {
    let partition: AWSPartition
    let service: String
    let region: String
    let account: String
    let resource: String

    init(parsing input: String, expectedForm: String) throws(KMSIdentifierError) {
        guard !input.isEmpty else {
            throw KMSIdentifierError(part: .whole, input: input, message: "the identifier is empty; expected \(expectedForm)")
        }
        guard input.utf8.count <= 2048 else {
            throw KMSIdentifierError(part: .whole, input: String(input.prefix(64)) + "…", message: "an ARN is at most 2048 characters")
        }
        let parts = input.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts[0] == "arn" else {
            throw KMSIdentifierError(part: .prefix, input: input, message: "an ARN starts with \"arn:\", found \"\(parts[0])\"; expected \(expectedForm)")
        }
        guard parts.count == 6 else {
            throw KMSIdentifierError(part: .whole, input: input, message: "an ARN has six parts separated by \":\", found \(parts.count); expected \(expectedForm)")
        }
        partition = try AWSPartition.parse(parts[1], in: input)
        service = parts[2]
        region = parts[3]
        account = parts[4]
        resource = parts[5]
    }

    /// Splits the resource on the first `/`.
    func resourceTypeAndID(in input: String, expectedForm: String) throws(KMSIdentifierError) -> (type: String, id: String) {
        guard !resource.isEmpty else {
            throw KMSIdentifierError(part: .resourceType, input: input, message: "the resource part is empty; expected \(expectedForm)")
        }
        guard let slash = resource.firstIndex(of: "/") else {
            throw KMSIdentifierError(part: .resourceType, input: input, message: "the resource \"\(resource)\" has no \"/\"; expected \(expectedForm)")
        }
        return (String(resource[..<slash]), String(resource[resource.index(after: slash)...]))
    }
}
