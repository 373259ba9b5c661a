import EnvelopeKMS

/// An IAM-language policy document: a key policy or an IAM identity policy.
///
/// Parsed from the JSON AWS uses (`Version`, `Statement`, …) and rendered back in AWS's member
/// order. Unknown statement members are rejected rather than ignored, so nothing a policy author
/// wrote is silently dropped.
public struct PolicyDocument: Sendable, Equatable {
    /// Which kind of policy a document is; the two differ in which members are required.
    public enum Kind: Sendable {
        /// A key policy (resource-based): every statement has `Principal`.
        case keyPolicy
        /// An IAM identity policy: no `Principal`, every statement has `Resource`.
        case identityPolicy
    }

    /// The policy language version, normally `2012-10-17`.
    public var version: String?
    /// The optional document `Id`.
    public var id: String?
    /// The statements, in order.
    public var statements: [PolicyStatement]

    /// The policy language version AWS documents use.
    public static let currentVersion = "2012-10-17"
    /// KMS's key-policy size limit in bytes.
    public static let maximumKeyPolicySize = 32_768

    /// Creates a document.
    public init(version: String? = PolicyDocument.currentVersion, id: String? = nil, statements: [PolicyStatement]) {
        self.version = version
        self.id = id
        self.statements = statements
    }

    /// Parses and validates a policy document of the given kind.
    public init(parsing text: String, kind: Kind) throws(PolicyDocumentError) {
        guard text.utf8.count <= PolicyDocument.maximumKeyPolicySize else {
            throw PolicyDocumentError("the policy is \(text.utf8.count) bytes; the limit is \(PolicyDocument.maximumKeyPolicySize)")
        }
        try self.init(json: try JSONValue(parsing: text), kind: kind)
    }

    /// Builds and validates a policy document from parsed JSON.
    public init(json: JSONValue, kind: Kind) throws(PolicyDocumentError) {
        guard case .object(let members) = json else { throw PolicyDocumentError("a policy document is a JSON object") }
        var version: String?
        var id: String?
        var statements: [PolicyStatement]?
        for (key, value) in members {
            switch key {
            case "Version":
                guard case .string(let v) = value, v == "2012-10-17" || v == "2008-10-17" else {
                    throw PolicyDocumentError("\"Version\" must be \"2012-10-17\" (or the older \"2008-10-17\")")
                }
                version = v
            case "Id":
                guard case .string(let v) = value else { throw PolicyDocumentError("\"Id\" must be a string") }
                id = v
            case "Statement":
                switch value {
                case .array(let items):
                    statements = try items.enumerated().map { (i, item) throws(PolicyDocumentError) in
                        try PolicyStatement(json: item, kind: kind, index: i)
                    }
                case .object:
                    statements = [try PolicyStatement(json: value, kind: kind, index: 0)]
                default:
                    throw PolicyDocumentError("\"Statement\" must be an object or an array of objects")
                }
            default:
                throw PolicyDocumentError("unknown top-level member \"\(key)\"; a policy has Version, Id and Statement")
            }
        }
        guard let statements, !statements.isEmpty else { throw PolicyDocumentError("the policy has no \"Statement\"") }
        self.init(version: version, id: id, statements: statements)
    }

    /// The document as ordered JSON.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let version { members.append(("Version", .string(version))) }
        if let id { members.append(("Id", .string(id))) }
        members.append(("Statement", .array(statements.map(\.json))))
        return .object(members)
    }

    /// The document as JSON text (2-space indentation unless `indent` is `nil`).
    public func jsonText(indent: Int? = 2) -> String { json.rendered(indent: indent) }
}

/// A list of strings that remembers whether it was written as a single string or an array.
public struct PolicyStringList: Sendable, Equatable, ExpressibleByArrayLiteral, ExpressibleByStringLiteral {
    /// The strings.
    public var values: [String]
    /// Render a single value as a bare string rather than a one-element array.
    public var rendersAsScalar: Bool

    /// A list.
    public init(_ values: [String], rendersAsScalar: Bool = false) {
        self.values = values
        self.rendersAsScalar = rendersAsScalar && values.count == 1
    }

    /// A list literal.
    public init(arrayLiteral elements: String...) { self.init(elements) }
    /// A single string, rendered as a string.
    public init(stringLiteral value: String) { self.init([value], rendersAsScalar: true) }

    init(json: JSONValue, member: String, index: Int) throws(PolicyDocumentError) {
        switch json {
        case .string(let s): self.init([s], rendersAsScalar: true)
        case .array(let items):
            var values: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw PolicyDocumentError("statement \(index): \"\(member)\" must be a string or an array of strings")
                }
                values.append(s)
            }
            guard !values.isEmpty else { throw PolicyDocumentError("statement \(index): \"\(member)\" is empty") }
            self.init(values)
        default:
            throw PolicyDocumentError("statement \(index): \"\(member)\" must be a string or an array of strings")
        }
    }

    var json: JSONValue {
        rendersAsScalar && values.count == 1 ? .string(values[0]) : .array(values.map(JSONValue.string))
    }
}
