import EnvelopeKMS

/// `-w hierarchy=BRANCH-KEY-ID table=T kms-key=ARN [logical-name=N] [ttl=SECONDS] [dynamodb-endpoint=URL]`:
/// the hierarchical keyring over a branch key store in DynamoDB (the table `envelope branch-key
/// create` made), its branch keys wrapped under the KMS key `kms-key=`.
///
/// The keyring caches each branch key version for `ttl` seconds (default 600), so one run calls
/// DynamoDB and KMS once per branch key version it meets, not once per file.
struct HierarchySpec: Sendable, Equatable {
    /// The branch key's identifier.
    let branchKeyID: String
    /// The DynamoDB table of the branch key store.
    let table: String
    /// The KMS key the branch keys are wrapped under.
    let kmsKey: KMSKeyARN
    /// The logical key store name (default: the table name).
    let logicalName: String?
    /// How long a branch key version is used from the cache.
    let ttlSeconds: Int
    /// The DynamoDB endpoint URL (else the standard AWS configuration's).
    let dynamoDBEndpoint: String?

    static let allowedNames: Set<String> = ["provider", "hierarchy", "table", "kms-key", "logical-name", "ttl", "dynamodb-endpoint"]
    static let defaultTTLSeconds = 600

    /// Parses the SPEC's values (`value(name)` returns a name's single value, or nil).
    init(text: String, value: (String) throws(CLIError) -> String?) throws(CLIError) {
        let usage = "hierarchy=BRANCH-KEY-ID table=TABLE kms-key=arn:aws:kms:REGION:ACCOUNT:key/KEY-ID [ttl=SECONDS]"
        guard let id = try value("hierarchy") else { throw .usage("-w \(text): the hierarchical keyring needs hierarchy=BRANCH-KEY-ID", hint: usage) }
        guard let table = try value("table") else { throw .usage("-w \(text): hierarchy= needs table= (the branch key store's DynamoDB table)", hint: usage) }
        guard let keyText = try value("kms-key") else {
            throw .usage("-w \(text): hierarchy= needs kms-key= (the KMS key ARN the branch keys are wrapped under)", hint: usage)
        }
        do { kmsKey = try KMSKeyARN(parsing: keyText) } catch {
            throw .usage("-w \(text): kms-key=\(keyText): \(error.description)", hint: "give the key ARN `envelope branch-key create --kms-key` used")
        }
        if let ttlText = try value("ttl") {
            guard let ttl = Int(ttlText), ttl > 0 else {
                throw .usage("-w \(text): ttl=\(ttlText) is not a whole number of seconds above 0", hint: "e.g. ttl=600 (the default)")
            }
            ttlSeconds = ttl
        } else {
            ttlSeconds = Self.defaultTTLSeconds
        }
        branchKeyID = id
        self.table = table
        logicalName = try value("logical-name")
        dynamoDBEndpoint = try value("dynamodb-endpoint")
    }

    /// The keyring (both sides), its store reaching KMS through `backend` as `principal`.
    func keyring(backend: KMSBackend, principal: AWSPrincipalARN?, spec: WrappingKeySpec) throws(CLIError) -> HierarchicalKeyring {
        let store = try BranchKeyStoreOptions.makeStore(table: table, keyARN: kmsKey, logicalName: logicalName,
                                                        dynamoDBEndpoint: dynamoDBEndpoint, backend: backend, principal: principal)
        do {
            return try HierarchicalKeyring(store: store, branchKeyIdentifier: branchKeyID, ttl: .seconds(ttlSeconds))
        } catch {
            throw CLIError.from(error, doing: "-w \(spec.text)")
        }
    }
}
