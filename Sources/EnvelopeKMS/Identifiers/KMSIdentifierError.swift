/// Why a KMS key identifier, ARN, account ID, region or principal could not be parsed.
///
/// `part` names the component that is wrong, `message` says what was expected, and `input` is the
/// text that was rejected (identifiers are not secret).
public struct KMSIdentifierError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The component of an identifier that failed validation.
    public struct Part: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The part's name, e.g. `"partition"`.
        public let rawValue: String
        /// Wraps a part name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The input as a whole (empty, too long, wrong number of `:` separated parts).
        public static let whole = Part(rawValue: "identifier")
        /// The leading `arn` of an ARN.
        public static let prefix = Part(rawValue: "prefix")
        /// The partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`).
        public static let partition = Part(rawValue: "partition")
        /// The service (`kms`, or `iam`/`sts` for principals).
        public static let service = Part(rawValue: "service")
        /// The region (e.g. `us-west-2`).
        public static let region = Part(rawValue: "region")
        /// The 12-digit account ID.
        public static let account = Part(rawValue: "account")
        /// The resource type before the first `/` (`key` or `alias`; `user`, `role`, `root` for principals).
        public static let resourceType = Part(rawValue: "resource type")
        /// The key ID after `key/`.
        public static let keyID = Part(rawValue: "key ID")
        /// The alias name after `alias/`.
        public static let aliasName = Part(rawValue: "alias name")
        /// The user, role or session name of an IAM principal.
        public static let principalName = Part(rawValue: "principal name")
        /// The part name.
        public var description: String { rawValue }
    }

    /// The component that is wrong.
    public let part: Part
    /// What was wrong and what a valid value looks like.
    public let message: String
    /// The rejected input.
    public let input: String

    /// Creates an error for `part` of `input`.
    public init(part: Part, input: String, message: String) {
        self.part = part
        self.input = input
        self.message = message
    }

    /// One line: the input, the wrong part and the expected form.
    public var description: String { "invalid \(part) in \"\(input)\": \(message)" }
}
