/// The ARN of an IAM principal that calls KMS: an account root
/// (`arn:aws:iam::111122223333:root`), a user (`…:user/NAME`), a role (`…:role/NAME`), or an
/// assumed-role session (`arn:aws:sts::111122223333:assumed-role/ROLE/SESSION`).
public struct AWSPrincipalARN: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// What kind of principal this is.
    public enum Kind: Hashable, Sendable {
        /// The account principal (`:root`).
        case root
        /// An IAM user; `path` is everything after `user/` (optional path segments and the name).
        case user(path: String)
        /// An IAM role; `path` is everything after `role/`.
        case role(path: String)
        /// A session of an assumed role.
        case assumedRole(role: String, session: String)
    }

    /// The partition.
    public let partition: AWSPartition
    /// The account the principal belongs to.
    public let account: AWSAccountID
    /// Root, user, role or session.
    public let kind: Kind

    static let expectedForm = "arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME"

    /// Builds a principal ARN.
    public init(partition: AWSPartition = .aws, account: AWSAccountID, kind: Kind) {
        self.partition = partition
        self.account = account
        self.kind = kind
    }

    /// Parses a principal ARN; the error names the wrong part.
    public init(parsing text: String) throws(KMSIdentifierError) {
        let arn = try ARNComponents(parsing: text, expectedForm: Self.expectedForm)
        guard arn.service == "iam" || arn.service == "sts" else {
            throw KMSIdentifierError(part: .service, input: text, message: "a principal ARN has service \"iam\" (or \"sts\" for a role session), found \"\(arn.service)\"")
        }
        guard arn.region.isEmpty else {
            throw KMSIdentifierError(part: .region, input: text, message: "IAM ARNs have no region (\"arn:aws:iam::ACCOUNT:…\")")
        }
        let account = try AWSAccountID(validating: arn.account, in: text)
        let kind: Kind
        if arn.service == "iam" && arn.resource == "root" {
            kind = .root
        } else {
            let (type, rest) = try arn.resourceTypeAndID(in: text, expectedForm: Self.expectedForm)
            func validName(_ s: String) -> Bool {
                !s.isEmpty && s.utf8.count <= 512 && !s.hasPrefix("/") && !s.hasSuffix("/")
                    && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetASCII.isAlphanumeric($0) || "+=,.@_-/".unicodeScalars.contains($0)) }
            }
            switch (arn.service, type) {
            case ("iam", "user"), ("iam", "role"):
                guard validName(rest) else {
                    throw KMSIdentifierError(part: .principalName, input: text, message: "\"\(rest)\" is not a valid \(type) name (letters, digits and +=,.@_- , optional path segments)")
                }
                kind = type == "user" ? .user(path: rest) : .role(path: rest)
            case ("sts", "assumed-role"):
                let pieces = rest.split(separator: "/", maxSplits: 1).map(String.init)
                guard pieces.count == 2, validName(pieces[0]), validName(pieces[1]) else {
                    throw KMSIdentifierError(part: .principalName, input: text, message: "expected assumed-role/ROLE-NAME/SESSION-NAME")
                }
                kind = .assumedRole(role: pieces[0], session: pieces[1])
            default:
                throw KMSIdentifierError(part: .resourceType, input: text, message: "\"\(type)\" is not a supported principal type; expected \(Self.expectedForm)")
            }
        }
        self.init(partition: arn.partition, account: account, kind: kind)
    }

    /// Parses a principal ARN, returning `nil` on malformed input.
    public init?(_ description: String) {
        guard let arn = try? AWSPrincipalARN(parsing: description) else { return nil }
        self = arn
    }

    /// Whether this is the account principal (`…:root`).
    public var isAccountRoot: Bool { kind == .root }

    /// For a role session, the ARN of its role (what policies name); otherwise `self`.
    public var policyPrincipal: AWSPrincipalARN {
        if case .assumedRole(let role, _) = kind { return AWSPrincipalARN(partition: partition, account: account, kind: .role(path: role)) }
        return self
    }

    /// The ARN text.
    public var description: String {
        let prefix = "arn:\(partition.rawValue)"
        switch kind {
        case .root: return "\(prefix):iam::\(account):root"
        case .user(let path): return "\(prefix):iam::\(account):user/\(path)"
        case .role(let path): return "\(prefix):iam::\(account):role/\(path)"
        case .assumedRole(let role, let session): return "\(prefix):sts::\(account):assumed-role/\(role)/\(session)"
        }
    }

    /// Decodes and validates a principal ARN.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(parsing: text) }
    }

    /// Encodes the ARN text.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(description)
    }
}
