import EnvelopeKMS

/// One statement of a policy document.
public struct PolicyStatement: Sendable, Equatable {
    /// `Allow` or `Deny`.
    public enum Effect: String, Sendable, Codable {
        /// Allows the matching requests (unless something denies them).
        case allow = "Allow"
        /// Denies the matching requests; wins over every allow.
        case deny = "Deny"
    }

    /// The statement ID.
    public var sid: String?
    /// Allow or deny.
    public var effect: Effect
    /// Who the statement is about (key policies only).
    public var principal: PolicyPrincipal?
    /// Who the statement is **not** about (`NotPrincipal`): it applies to everyone else.
    public var notPrincipal: PolicyPrincipal?
    /// The actions matched (`Action`), e.g. `kms:Encrypt`, `kms:GenerateDataKey*`.
    public var actions: PolicyStringList?
    /// The actions excluded (`NotAction`): the statement matches every other action.
    public var notActions: PolicyStringList?
    /// The resources matched (`Resource`); `*` or ARNs with wildcards.
    public var resources: PolicyStringList?
    /// The resources excluded (`NotResource`).
    public var notResources: PolicyStringList?
    /// The conditions, all of which must hold.
    public var conditions: [PolicyCondition]

    /// Creates a statement.
    public init(sid: String? = nil, effect: Effect, principal: PolicyPrincipal? = nil, notPrincipal: PolicyPrincipal? = nil,
                actions: PolicyStringList? = nil, notActions: PolicyStringList? = nil, resources: PolicyStringList? = nil,
                notResources: PolicyStringList? = nil, conditions: [PolicyCondition] = []) {
        self.sid = sid
        self.effect = effect
        self.principal = principal
        self.notPrincipal = notPrincipal
        self.actions = actions
        self.notActions = notActions
        self.resources = resources
        self.notResources = notResources
        self.conditions = conditions
    }

    init(json: JSONValue, kind: PolicyDocument.Kind, index: Int) throws(PolicyDocumentError) {
        guard case .object(let members) = json else { throw PolicyDocumentError("statement \(index) is not a JSON object") }
        var sid: String?
        var effect: Effect?
        var principal: PolicyPrincipal?
        var notPrincipal: PolicyPrincipal?
        var actions: PolicyStringList?
        var notActions: PolicyStringList?
        var resources: PolicyStringList?
        var notResources: PolicyStringList?
        var conditions: [PolicyCondition] = []
        for (key, value) in members {
            switch key {
            case "Sid":
                guard case .string(let s) = value else { throw PolicyDocumentError("statement \(index): \"Sid\" must be a string") }
                sid = s
            case "Effect":
                guard case .string(let s) = value, let e = Effect(rawValue: s) else {
                    throw PolicyDocumentError("statement \(index): \"Effect\" must be \"Allow\" or \"Deny\"")
                }
                effect = e
            case "Principal":
                principal = try PolicyPrincipal(json: value, index: index)
            case "NotPrincipal":
                notPrincipal = try PolicyPrincipal(json: value, index: index)
            case "Action": actions = try PolicyStringList(json: value, member: key, index: index)
            case "NotAction": notActions = try PolicyStringList(json: value, member: key, index: index)
            case "Resource": resources = try PolicyStringList(json: value, member: key, index: index)
            case "NotResource": notResources = try PolicyStringList(json: value, member: key, index: index)
            case "Condition": conditions = try PolicyCondition.parseBlock(value, index: index)
            default:
                throw PolicyDocumentError("statement \(index): unknown member \"\(key)\"")
            }
        }
        guard let effect else { throw PolicyDocumentError("statement \(index) has no \"Effect\"") }
        guard (actions == nil) != (notActions == nil) else {
            throw PolicyDocumentError("statement \(index) needs exactly one of \"Action\" and \"NotAction\"")
        }
        guard !(resources != nil && notResources != nil) else {
            throw PolicyDocumentError("statement \(index) cannot have both \"Resource\" and \"NotResource\"")
        }
        for action in (actions ?? notActions)!.values where action != "*" && !action.contains(":") {
            throw PolicyDocumentError("statement \(index): action \"\(action)\" must look like service:Action, e.g. kms:Decrypt")
        }
        switch kind {
        case .keyPolicy:
            guard (principal == nil) != (notPrincipal == nil) else {
                throw PolicyDocumentError("statement \(index) of a key policy needs exactly one of \"Principal\" and \"NotPrincipal\"")
            }
        case .identityPolicy:
            guard principal == nil, notPrincipal == nil else {
                throw PolicyDocumentError("statement \(index): an IAM identity policy has no \"Principal\" or \"NotPrincipal\"")
            }
            guard resources != nil || notResources != nil else {
                throw PolicyDocumentError("statement \(index) of an IAM policy needs a \"Resource\" (e.g. the key ARN)")
            }
        }
        self.init(sid: sid, effect: effect, principal: principal, notPrincipal: notPrincipal, actions: actions, notActions: notActions,
                  resources: resources, notResources: notResources, conditions: conditions)
    }

    /// The statement as ordered JSON (Sid, Effect, Principal, Action, Resource, Condition).
    public var json: JSONValue {
        var m: [(String, JSONValue)] = []
        if let sid { m.append(("Sid", .string(sid))) }
        m.append(("Effect", .string(effect.rawValue)))
        if let principal { m.append(("Principal", principal.json)) }
        if let notPrincipal { m.append(("NotPrincipal", notPrincipal.json)) }
        if let actions { m.append(("Action", actions.json)) }
        if let notActions { m.append(("NotAction", notActions.json)) }
        if let resources { m.append(("Resource", resources.json)) }
        if let notResources { m.append(("NotResource", notResources.json)) }
        if !conditions.isEmpty { m.append(("Condition", PolicyCondition.blockJSON(conditions))) }
        return .object(m)
    }

    /// Whether the statement's Action/NotAction covers `action` (case-insensitive, `*` and `?` wildcards).
    public func covers(action: String) -> Bool {
        if let actions { return actions.values.contains { PolicyPattern.matches($0, action, caseInsensitive: true) } }
        if let notActions { return !notActions.values.contains { PolicyPattern.matches($0, action, caseInsensitive: true) } }
        return false
    }

    /// Whether the statement's Resource/NotResource covers `resource` (absent means every resource).
    /// With a request context, policy variables (`${aws:username}`, …) in the patterns are
    /// replaced first; a pattern whose variable the request lacks matches nothing.
    public func covers(resource: String, context: PolicyRequestContext? = nil) -> Bool {
        func matches(_ pattern: String) -> Bool {
            guard let expanded = context.map({ PolicyVariables.substitute(pattern, in: $0) }) ?? pattern else { return false }
            return PolicyPattern.matches(expanded, resource, caseInsensitive: false)
        }
        if let resources { return resources.values.contains(where: matches) }
        if let notResources { return !notResources.values.contains(where: matches) }
        return true
    }

    /// How the statement's `Principal` (or `NotPrincipal`) applies to `caller`, whose IAM
    /// identity is `principalARN` (for a role session: its role, with the role's path).
    /// A `NotPrincipal` statement applies to everyone it does not spare: a user or role is spared
    /// when it and its account are both listed, the account root when its account is.
    public func principalMatch(_ caller: AWSPrincipalARN, principalARN: AWSPrincipalARN? = nil) -> PolicyPrincipal.Match {
        if let principal { return principal.match(caller, principalARN: principalARN) }
        if let notPrincipal {
            // A Deny with NotPrincipal spares a user or role only when its account is listed too
            // (reference_policies_elements_notprincipal.html); the account root is spared by its account.
            let named = notPrincipal.match(caller, principalARN: principalARN)
            let accountListed = notPrincipal.match(caller.account.rootPrincipal(partition: caller.partition)) != .none
            let spared = caller.isAccountRoot ? named != .none : (named == .direct && accountListed)
            return spared ? .none : .direct
        }
        return .none
    }
}

/// The `Principal` element of a key-policy statement.
public struct PolicyPrincipal: Sendable, Equatable {
    /// `"Principal": "*"` (everyone), as opposed to the `{"AWS": …}` form.
    public var isBareWildcard: Bool
    /// The `AWS` principals: account roots, users, roles, account IDs or `*`.
    public var aws: PolicyStringList?
    /// The `Service` principals (AWS services; never match a direct caller).
    public var service: PolicyStringList?

    /// Everyone (`"*"`).
    public static let everyone = PolicyPrincipal(isBareWildcard: true, aws: nil, service: nil)

    /// An `{"AWS": [...]}` principal.
    public static func aws(_ arns: [String]) -> PolicyPrincipal {
        PolicyPrincipal(isBareWildcard: false, aws: PolicyStringList(arns), service: nil)
    }

    /// Creates a principal element.
    public init(isBareWildcard: Bool, aws: PolicyStringList?, service: PolicyStringList?) {
        self.isBareWildcard = isBareWildcard
        self.aws = aws
        self.service = service
    }

    init(json: JSONValue, index: Int) throws(PolicyDocumentError) {
        switch json {
        case .string("*"):
            self = .everyone
        case .object(let members):
            var aws: PolicyStringList?
            var service: PolicyStringList?
            for (key, value) in members {
                switch key {
                case "AWS":
                    let list = try PolicyStringList(json: value, member: "Principal.AWS", index: index)
                    for entry in list.values where entry != "*" && AWSAccountID(rawValue: entry) == nil {
                        do { _ = try AWSPrincipalARN(parsing: entry) } catch {
                            throw PolicyDocumentError("statement \(index): invalid principal \"\(entry)\": \(error.message)")
                        }
                    }
                    aws = list
                case "Service": service = try PolicyStringList(json: value, member: "Principal.Service", index: index)
                default:
                    throw PolicyDocumentError("statement \(index): principal type \"\(key)\" is not supported; use \"AWS\" or \"Service\"")
                }
            }
            guard aws != nil || service != nil else { throw PolicyDocumentError("statement \(index): \"Principal\" is empty") }
            self.init(isBareWildcard: false, aws: aws, service: service)
        default:
            throw PolicyDocumentError("statement \(index): \"Principal\" must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}")
        }
    }

    var json: JSONValue {
        if isBareWildcard { return .string("*") }
        var m: [(String, JSONValue)] = []
        if let aws { m.append(("AWS", aws.json)) }
        if let service { m.append(("Service", service.json)) }
        return .object(m)
    }

    /// How this element matches a caller.
    public enum Match: Sendable, Equatable {
        /// Does not name the caller.
        case none
        /// Names the caller itself (its ARN, or `*`).
        case direct
        /// Names the caller's account (its root ARN or account ID): delegates to that account's IAM policies.
        case account
    }

    /// Whether the element names `caller` directly, through its account, or not at all.
    /// `principalARN` is the caller's IAM identity (for a session, its role with its path;
    /// defaults to `AWSPrincipalARN/policyPrincipal`).
    public func match(_ caller: AWSPrincipalARN, principalARN: AWSPrincipalARN? = nil) -> Match {
        if isBareWildcard { return .direct }
        guard let aws else { return .none }
        let principal = principalARN ?? caller.policyPrincipal
        var result = Match.none
        for entry in aws.values {
            if entry == "*" { return .direct }
            let normalized = AWSAccountID(rawValue: entry).map { $0.rootPrincipal(partition: caller.partition).description } ?? entry
            if normalized == principal.description || normalized == caller.description { return .direct }
            if normalized == caller.account.rootPrincipal(partition: caller.partition).description { result = .account }
        }
        return result
    }
}

/// IAM wildcard matching: `*` any run of characters, `?` one character.
enum PolicyPattern {
    static func matches(_ pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        let p = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
        let t = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
