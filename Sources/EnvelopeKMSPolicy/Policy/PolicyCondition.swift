import EnvelopeKMS

/// One condition of a statement: an operator, a condition key and the values to compare with,
/// e.g. `"Bool": {"kms:GrantIsForAWSResource": true}`.
///
/// Supported operators: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
/// `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`, `ArnEquals`, `ArnLike`,
/// `ArnNotEquals`, `ArnNotLike` (ARN part by part), `Numeric…` and `Date…` (`Equals`,
/// `NotEquals`, `LessThan`, `LessThanEquals`, `GreaterThan`, `GreaterThanEquals`), `Bool`,
/// `Null`; each (but `Null`) with an optional `IfExists` suffix and an optional `ForAnyValue:` /
/// `ForAllValues:` prefix for multi-valued keys such as `kms:EncryptionContextKeys`. Condition
/// key names compare case-insensitively. String and ARN values may use policy variables
/// (`${aws:username}`, `${aws:PrincipalTag/team}`).
public struct PolicyCondition: Sendable, Equatable {
    /// The operator as written, e.g. `ForAllValues:StringEquals`.
    public var operatorName: String
    /// The condition key as written, e.g. `kms:EncryptionContext:Department`.
    public var key: String
    /// The values as written (strings, booleans or numbers), kept for rendering.
    public var values: [JSONValue]
    /// Whether the values were written as one bare value rather than an array.
    public var rendersAsScalar: Bool

    /// Creates a condition.
    public init(operatorName: String, key: String, values: [JSONValue], rendersAsScalar: Bool? = nil) throws(PolicyDocumentError) {
        let parsed = try ParsedOperator(operatorName)
        // conditions-kms.html#conditions-kms-encryption-context: ForAllValues with the
        // single-valued kms:EncryptionContext:<key> is refused (it also matches requests without that pair).
        if parsed.set == .forAllValues && key.lowercased().hasPrefix("kms:encryptioncontext:") {
            throw PolicyDocumentError("OverlyPermissiveCondition: \(operatorName) with \(key) is refused: the ForAllValues set operator with the single-valued kms:EncryptionContext:context-key also matches requests without that pair. Use StringEquals (or ForAnyValue) instead.")
        }
        self.operatorName = operatorName
        self.key = key
        self.values = values
        self.rendersAsScalar = rendersAsScalar ?? (values.count == 1)
        for value in values {
            switch value {
            case .string, .bool, .number: continue
            default: throw PolicyDocumentError("condition \(operatorName) \(key): values must be strings, booleans or numbers")
            }
        }
    }

    /// `Bool` condition: `{"Bool": {key: value}}` with a JSON boolean.
    public static func bool(_ key: String, _ value: Bool) -> PolicyCondition {
        try! PolicyCondition(operatorName: "Bool", key: key, values: [.bool(value)])
    }

    /// `StringEquals` condition.
    public static func stringEquals(_ key: String, _ values: [String]) -> PolicyCondition {
        try! PolicyCondition(operatorName: "StringEquals", key: key, values: values.map(JSONValue.string))
    }

    static func parseBlock(_ json: JSONValue, index: Int) throws(PolicyDocumentError) -> [PolicyCondition] {
        guard case .object(let operators) = json else {
            throw PolicyDocumentError("statement \(index): \"Condition\" must be an object of operators")
        }
        var result: [PolicyCondition] = []
        for (op, keys) in operators {
            guard case .object(let pairs) = keys else {
                throw PolicyDocumentError("statement \(index): condition operator \"\(op)\" must map condition keys to values")
            }
            for (key, value) in pairs {
                let values: [JSONValue]
                let scalar: Bool
                if case .array(let items) = value { values = items; scalar = false } else { values = [value]; scalar = true }
                do {
                    result.append(try PolicyCondition(operatorName: op, key: key, values: values, rendersAsScalar: scalar))
                } catch {
                    throw PolicyDocumentError("statement \(index): \(error.message)")
                }
            }
        }
        return result
    }

    static func blockJSON(_ conditions: [PolicyCondition]) -> JSONValue {
        var operators: [(String, [(String, JSONValue)])] = []
        for c in conditions {
            let value: JSONValue = c.rendersAsScalar && c.values.count == 1 ? c.values[0] : .array(c.values)
            if let i = operators.firstIndex(where: { $0.0 == c.operatorName }) {
                operators[i].1.append((c.key, value))
            } else {
                operators.append((c.operatorName, [(c.key, value)]))
            }
        }
        return .object(operators.map { ($0.0, JSONValue.object($0.1)) })
    }

    /// The condition values as strings (`true`/`false` for booleans).
    var stringValues: [String] {
        values.map {
            switch $0 {
            case .string(let s): s
            case .bool(let b): b ? "true" : "false"
            case .number: $0.rendered(indent: nil)
            default: ""
            }
        }
    }

    /// Whether the condition holds for a request whose context is `context`.
    public func isSatisfied(by context: PolicyRequestContext) -> Bool {
        guard let op = try? ParsedOperator(operatorName) else { return false }
        let requestValues = context.values(forKey: key)
        let conditionValues = stringValues
        if op.base == .null {
            let wantsAbsent = conditionValues.contains { $0.lowercased() == "true" }
            return wantsAbsent == (requestValues == nil || requestValues!.isEmpty)
        }
        guard let requestValues, !requestValues.isEmpty else {
            switch op.set {
            case .forAllValues: return true
            case .forAnyValue: return false
            case .single: return op.ifExists || op.negated
            }
        }
        let expanded: [String] = op.base.allowsVariables ? conditionValues.compactMap { PolicyVariables.substitute($0, in: context) } : conditionValues
        func matchesAny(_ v: String) -> Bool { expanded.contains { op.base.matches(condition: $0, request: v) } }
        switch op.set {
        case .single, .forAnyValue:
            return op.negated ? requestValues.contains { !matchesAny($0) } : requestValues.contains(where: matchesAny)
        case .forAllValues:
            return op.negated ? requestValues.allSatisfy { !matchesAny($0) } : requestValues.allSatisfy(matchesAny)
        }
    }
}

/// An operator name split into set qualifier, base comparison, negation and `IfExists`.
struct ParsedOperator {
    enum SetQualifier { case single, forAnyValue, forAllValues }
    enum Comparison: Equatable { case equal, less, lessOrEqual, greater, greaterOrEqual }
    enum Base: Equatable {
        case stringEquals, stringEqualsIgnoreCase, stringLike, arnLike, bool, null
        case numeric(Comparison), date(Comparison)
        func matches(condition: String, request: String) -> Bool {
            switch self {
            case .stringEquals: return condition == request
            case .stringEqualsIgnoreCase: return condition.lowercased() == request.lowercased()
            case .stringLike: return PolicyPattern.matches(condition, request, caseInsensitive: false)
            case .arnLike: return PolicyPattern.arnMatches(condition, request)
            case .bool: return condition.lowercased() == request.lowercased()
            case .null: return false
            case .numeric(let c):
                guard let a = Double(request), let b = Double(condition) else { return false }
                return Base.compare(a, b, c)
            case .date(let c):
                guard let a = PolicyDates.parse(request), let b = PolicyDates.parse(condition) else { return false }
                return Base.compare(a.timeIntervalSince1970, b.timeIntervalSince1970, c)
            }
        }
        var allowsVariables: Bool {
            switch self {
            case .stringEquals, .stringEqualsIgnoreCase, .stringLike, .arnLike: true
            default: false
            }
        }
        static func compare(_ request: Double, _ condition: Double, _ c: Comparison) -> Bool {
            switch c {
            case .equal: request == condition
            case .less: request < condition
            case .lessOrEqual: request <= condition
            case .greater: request > condition
            case .greaterOrEqual: request >= condition
            }
        }
    }

    let set: SetQualifier
    let base: Base
    let negated: Bool
    let ifExists: Bool

    static func unsupported(_ name: String) -> PolicyDocumentError {
        PolicyDocumentError("condition operator \"\(name)\" is not supported; use a String…, Arn…, Numeric… or Date… operator, Bool or Null (optionally …IfExists, ForAnyValue:, ForAllValues:)")
    }

    init(_ name: String) throws(PolicyDocumentError) {
        var rest = Substring(name)
        if rest.hasPrefix("ForAnyValue:") { set = .forAnyValue; rest = rest.dropFirst("ForAnyValue:".count) }
        else if rest.hasPrefix("ForAllValues:") { set = .forAllValues; rest = rest.dropFirst("ForAllValues:".count) }
        else { set = .single }
        if rest.hasSuffix("IfExists") { ifExists = true; rest = rest.dropLast("IfExists".count) } else { ifExists = false }
        switch rest {
        case "StringEquals": (base, negated) = (.stringEquals, false)
        case "StringNotEquals": (base, negated) = (.stringEquals, true)
        case "StringEqualsIgnoreCase": (base, negated) = (.stringEqualsIgnoreCase, false)
        case "StringNotEqualsIgnoreCase": (base, negated) = (.stringEqualsIgnoreCase, true)
        case "StringLike": (base, negated) = (.stringLike, false)
        case "StringNotLike": (base, negated) = (.stringLike, true)
        // IAM: ArnEquals and ArnLike behave alike, comparing the six ARN parts one by one.
        case "ArnLike", "ArnEquals": (base, negated) = (.arnLike, false)
        case "ArnNotLike", "ArnNotEquals": (base, negated) = (.arnLike, true)
        case "Bool": (base, negated) = (.bool, false)
        case "Null" where !ifExists && set == .single: (base, negated) = (.null, false)
        case let op where op.hasPrefix("Numeric") || op.hasPrefix("Date"):
            let family = op.hasPrefix("Numeric") ? "Numeric" : "Date"
            let comparisons: [String: (Comparison, Bool)] = [
                "Equals": (.equal, false), "NotEquals": (.equal, true), "LessThan": (.less, false),
                "LessThanEquals": (.lessOrEqual, false), "GreaterThan": (.greater, false), "GreaterThanEquals": (.greaterOrEqual, false),
            ]
            guard let (comparison, isNegated) = comparisons[String(op.dropFirst(family.count))] else { throw ParsedOperator.unsupported(name) }
            (base, negated) = (family == "Numeric" ? .numeric(comparison) : .date(comparison), isNegated)
        default:
            throw ParsedOperator.unsupported(name)
        }
    }
}

/// What a policy condition can see of a request: condition keys and their values.
///
/// Keys are compared case-insensitively; `kms:EncryptionContext:<key>` keeps one entry per
/// encryption-context pair (POLICY-FACTS 18), `kms:EncryptionContextKeys` is multi-valued (19).
public struct PolicyRequestContext: Sendable, Equatable {
    private var entries: [String: [String]]

    /// An empty context.
    public init() { entries = [:] }

    /// The context KMS builds for a request by `caller` on a key.
    /// - Parameters:
    ///   - caller: the principal making the request.
    ///   - action: the `kms:` action.
    ///   - encryptionContext: the request's encryption context, for actions that take one.
    ///   - viaService: the integrated service making the call on the caller's behalf, if any
    ///     (`kms:ViaService`; also makes `kms:GrantIsForAWSResource` true for grant operations).
    public init(caller: AWSPrincipalARN, action: String, encryptionContext: [String: String]? = nil, viaService: String? = nil) {
        entries = [:]
        set("kms:CallerAccount", [caller.account.rawValue])
        set("aws:PrincipalAccount", [caller.account.rawValue])
        set("aws:PrincipalArn", [caller.policyPrincipal.description])
        if let viaService { set("kms:ViaService", [viaService]) }
        let grantActions = ["kms:creategrant", "kms:listgrants", "kms:revokegrant"]
        if grantActions.contains(action.lowercased()) {
            set("kms:GrantIsForAWSResource", [viaService == nil ? "false" : "true"])
        }
        if let encryptionContext {
            for (k, v) in encryptionContext { append("kms:EncryptionContext:\(k)", v) }
            set("kms:EncryptionContextKeys", Array(encryptionContext.keys).sorted())
        }
    }

    /// Sets a key's values.
    public mutating func set(_ key: String, _ values: [String]) { entries[key.lowercased()] = values }

    mutating func append(_ key: String, _ value: String) { entries[key.lowercased(), default: []].append(value) }

    /// The values of a key, or `nil` when the request does not have it.
    public func values(forKey key: String) -> [String]? { entries[key.lowercased()] }
}
