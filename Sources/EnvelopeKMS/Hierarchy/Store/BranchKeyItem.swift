/// One item of a branch key store table, as the specification's record format lays it out, and
/// the KMS encryption context that authenticates it.
///
/// Spec: framework/branch-key-store.md ("Record Format", "Encryption Context").
struct BranchKeyItem: Sendable, Equatable {
    // Attribute names.
    static let branchKeyIDName = "branch-key-id"
    static let typeName = "type"
    static let versionName = "version"
    static let encName = "enc"
    static let kmsARNName = "kms-arn"
    static let createTimeName = "create-time"
    static let hierarchyVersionName = "hierarchy-version"
    /// The encryption context key that binds the logical key store name (never an attribute).
    static let tableNameContextKey = "tablename"
    /// The prefix of custom encryption context attributes.
    static let customPrefix = "aws-crypto-ec:"
    // `type` values.
    static let activeType = "branch:ACTIVE"
    static let beaconType = "beacon:ACTIVE"
    static let versionTypePrefix = "branch:version:"
    /// The only hierarchy version implemented.
    static let hierarchyVersion1 = "1"

    /// `branch-key-id`.
    var branchKeyIdentifier: String
    /// `type`: `branch:ACTIVE`, `beacon:ACTIVE` or `branch:version:<uuid>`.
    var type: String
    /// `version` (active items only): `branch:version:<uuid>`.
    var version: String?
    /// `create-time`.
    var createTime: String
    /// `kms-arn`.
    var kmsARN: String
    /// `hierarchy-version` (a number, kept as its text).
    var hierarchyVersion: String
    /// Every other attribute (string-typed): the `aws-crypto-ec:` ones and any the writer added.
    var otherAttributes: [String: String]
    /// `enc`: the wrapped key.
    var enc: [UInt8]

    /// An item of a new version (`enc` empty until KMS wrapped the key).
    init(branchKeyIdentifier: String, type: String, version: String?, createTime: String, kmsARN: String,
         customEncryptionContext: [String: String]) {
        self.branchKeyIdentifier = branchKeyIdentifier
        self.type = type
        self.version = version
        self.createTime = createTime
        self.kmsARN = kmsARN
        self.hierarchyVersion = Self.hierarchyVersion1
        self.otherAttributes = Dictionary(uniqueKeysWithValues: customEncryptionContext.map { (Self.customPrefix + $0.key, $0.value) })
        self.enc = []
    }

    /// Reads a DynamoDB item, checking that it is the item asked for and has every attribute of
    /// the record format with its type.
    init(parsing item: DynamoDBItem, branchKeyIdentifier: String, type: String) throws(BranchKeyStoreError) {
        func malformed(_ what: String) -> BranchKeyStoreError {
            BranchKeyStoreError(.malformedItem, branchKeyIdentifier: branchKeyIdentifier,
                                "the \(type) item \(what); the table was not written by a branch key store, or was modified")
        }
        func string(_ name: String) throws(BranchKeyStoreError) -> String {
            guard let value = item[name] else { throw malformed("has no \(name) attribute") }
            guard case .string(let text) = value else { throw malformed("has a \(name) attribute of type \(value.typeDescriptor), not S") }
            return text
        }
        self.branchKeyIdentifier = try string(Self.branchKeyIDName)
        self.type = try string(Self.typeName)
        guard self.branchKeyIdentifier == branchKeyIdentifier, self.type == type else {
            throw malformed("names another branch key or type (\(self.branchKeyIdentifier), \(self.type))")
        }
        self.createTime = try string(Self.createTimeName)
        self.kmsARN = try string(Self.kmsARNName)
        guard case .binary(let enc)? = item[Self.encName], !enc.isEmpty else { throw malformed("has no binary enc attribute") }
        self.enc = enc
        guard case .number(let hierarchyVersion)? = item[Self.hierarchyVersionName] else {
            throw malformed("has no numeric hierarchy-version attribute")
        }
        self.hierarchyVersion = hierarchyVersion
        if type == Self.activeType {
            let version = try string(Self.versionName)
            guard version.hasPrefix(Self.versionTypePrefix), version.count > Self.versionTypePrefix.count else {
                throw malformed("has a version attribute that does not start with \(Self.versionTypePrefix)")
            }
            self.version = version
        } else {
            guard item[Self.versionName] == nil else { throw malformed("has a version attribute (only the active item may)") }
            self.version = nil
        }
        let known: Set<String> = [Self.branchKeyIDName, Self.typeName, Self.versionName, Self.encName, Self.kmsARNName,
                                  Self.createTimeName, Self.hierarchyVersionName]
        var others: [String: String] = [:]
        for (name, value) in item where !known.contains(name) {
            guard case .string(let text) = value else { throw malformed("has a \(name) attribute of type \(value.typeDescriptor), not S") }
            guard name != Self.tableNameContextKey else { throw malformed("has a tablename attribute (reserved for the logical key store name)") }
            others[name] = text
        }
        self.otherAttributes = others
        guard hierarchyVersion == Self.hierarchyVersion1 else {
            throw BranchKeyStoreError(.unsupportedHierarchyVersion, branchKeyIdentifier: branchKeyIdentifier,
                                      "the \(type) item has hierarchy-version \(hierarchyVersion); this store implements version 1 only")
        }
    }

    /// The version UUID string: from `version` (active item) or `type` (version item).
    var versionUUID: String? {
        let tagged = version ?? (type.hasPrefix(Self.versionTypePrefix) ? type : nil)
        return tagged.map { String($0.dropFirst(Self.versionTypePrefix.count)) }
    }

    /// The custom encryption context: the `aws-crypto-ec:` attributes, without the prefix.
    var customEncryptionContext: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in otherAttributes where name.hasPrefix(Self.customPrefix) {
            result[String(name.dropFirst(Self.customPrefix.count))] = value
        }
        return result
    }

    /// The KMS encryption context: every attribute but `enc` as a string, plus `tablename`.
    func encryptionContext(logicalKeyStoreName: String) -> [String: String] {
        var context = otherAttributes
        context[Self.branchKeyIDName] = branchKeyIdentifier
        context[Self.typeName] = type
        if let version { context[Self.versionName] = version }
        context[Self.createTimeName] = createTime
        context[Self.kmsARNName] = kmsARN
        context[Self.hierarchyVersionName] = hierarchyVersion
        context[Self.tableNameContextKey] = logicalKeyStoreName
        return context
    }

    /// The DynamoDB item.
    var dynamoDBItem: DynamoDBItem {
        var item: DynamoDBItem = otherAttributes.mapValues { .string($0) }
        item[Self.branchKeyIDName] = .string(branchKeyIdentifier)
        item[Self.typeName] = .string(type)
        if let version { item[Self.versionName] = .string(version) }
        item[Self.createTimeName] = .string(createTime)
        item[Self.kmsARNName] = .string(kmsARN)
        item[Self.hierarchyVersionName] = .number(hierarchyVersion)
        item[Self.encName] = .binary(enc)
        return item
    }

    /// The primary key of the item `type` of `branchKeyIdentifier`.
    static func key(branchKeyIdentifier: String, type: String) -> DynamoDBItem {
        [branchKeyIDName: .string(branchKeyIdentifier), typeName: .string(type)]
    }
}
