import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeKMSPolicy
import Foundation

/// `envelope branch-key create|version|describe`: branch keys of the hierarchical keyring in a
/// DynamoDB branch key store table, wrapped under a KMS key (the AWS Material Providers Library's
/// table layout, so the official ESDKs share the table).
struct BranchKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch-key",
        abstract: "Branch keys of the hierarchical keyring in a DynamoDB branch key store (create, version, describe).",
        discussion: """
            The table holds each branch key's active version, every older version and a beacon key, \
            each wrapped under --kms-key and bound to --logical-name. DynamoDB is reached over HTTPS \
            with the standard AWS environment (credentials, AWS_ENDPOINT_URL_DYNAMODB) or --dynamodb-endpoint; \
            KMS as the other commands reach it (--kms local or aws).
            """,
        subcommands: [BranchKeyCreate.self, BranchKeyVersion.self, BranchKeyDescribe.self])
}

/// Options every `branch-key` subcommand takes: the table, the KMS key and where they are.
struct BranchKeyStoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The DynamoDB table of the branch key store.", valueName: "NAME")) var table: String
    @Option(name: .customLong("kms-key"), help: ArgumentHelp("The KMS key ARN the branch keys are wrapped under.", valueName: "ARN")) var kmsKey: String
    @Option(name: .customLong("logical-name"), help: ArgumentHelp("The logical key store name bound to every item (default: the table name); every reader and writer must use the same.", valueName: "NAME"))
    var logicalName: String?
    @Option(name: .customLong("dynamodb-endpoint"), help: ArgumentHelp("The DynamoDB endpoint URL (else AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, the profile's, or the key's Region's).", valueName: "URL"))
    var dynamoDBEndpoint: String?
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: CallerOptions

    /// The store: DynamoDB in the key's Region, KMS through the chosen backend.
    func store() throws(CLIError) -> KMSBranchKeyStore {
        let keyARN = try KMSAdmin.keyARN(kmsKey)
        let (kmsBackend, principal) = try KMSBackend.resolveWithCaller(backend, principal: caller.principal)
        return try Self.makeStore(table: table, keyARN: keyARN, logicalName: logicalName, dynamoDBEndpoint: dynamoDBEndpoint,
                                  backend: kmsBackend, principal: principal)
    }

    /// A branch key store on `table` (DynamoDB in the key's Region unless `dynamoDBEndpoint`),
    /// its branch keys wrapped under `keyARN` through `backend` as `principal`; also the
    /// `-w hierarchy=` SPEC's store.
    static func makeStore(table: String, keyARN: KMSKeyARN, logicalName: String?, dynamoDBEndpoint: String?,
                          backend: KMSBackend, principal: AWSPrincipalARN?) throws(CLIError) -> KMSBranchKeyStore {
        guard !table.isEmpty else { throw .usage("--table is empty", hint: "give the DynamoDB table name") }
        let kms = try backend.transport(region: keyARN.region, keyIdentifier: .keyARN(keyARN), profile: nil, principal: principal)
        let dynamoDB: DynamoDBHTTPTransport
        do {
            dynamoDB = try DynamoDBHTTPTransport.standard(region: keyARN.region.rawValue, customEndpoint: dynamoDBEndpoint)
        } catch {
            throw CLIError.from(error, doing: "configuring DynamoDB")
        }
        return KMSBranchKeyStore(tableName: table, logicalKeyStoreName: logicalName ?? table, kmsConfiguration: .keyARN(keyARN),
                                 kms: kms, dynamoDB: dynamoDB, consistentReads: true)
    }
}

struct BranchKeyCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a branch key (and its beacon key); print {\"BranchKeyId\", \"ActiveVersion\", …}.")

    @Option(name: .customLong("branch-key-id"), help: ArgumentHelp("The branch key's identifier (default: a new UUID); needs -c.", valueName: "ID"))
    var branchKeyID: String?
    @Option(name: [.customShort("c"), .customLong("encryption-context")], parsing: .upToNextOption,
            help: ArgumentHelp("Encryption context bound to every version of the key (stored as aws-crypto-ec: attributes).", valueName: "k=v"))
    var context: [String] = []
    @Flag(name: .customLong("create-table"), help: "Create the table first if it does not exist (CreateKeyStore).") var createTable = false
    @OptionGroup var store: BranchKeyStoreOptions

    func run() async throws {
        let pairs = Dictionary(try PolicySimulate.pairs(context, option: "-c"), uniquingKeysWith: { _, new in new })
        if branchKeyID != nil && pairs.isEmpty {
            throw CLIError.usage("--branch-key-id needs an encryption context (-c k=v)", hint: "the specification binds a chosen identifier to an encryption context; or drop --branch-key-id for a new UUID")
        }
        let keyStore = try store.store()
        var fields: [(String, JSONValue)] = []
        if createTable {
            let arn = try await KMSAdmin.run("creating the branch key store table \(keyStore.tableName)") { try await keyStore.createKeyStore() }
            fields.append(("TableArn", .string(arn)))
        }
        let id = try await KMSAdmin.run("creating a branch key in \(keyStore.tableName)") {
            try await keyStore.createKey(branchKeyIdentifier: branchKeyID, encryptionContext: pairs)
        }
        let description = try await KMSAdmin.run("reading branch key \(id)") { try await keyStore.describeBranchKey(branchKeyIdentifier: id) }
        JSONOutput.print(.object([("BranchKeyId", .string(id))] + BranchKeyDescribe.fields(description) + fields))
    }
}

struct BranchKeyVersion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Rotate a branch key: a new active version (older versions stay readable); print {\"BranchKeyId\", \"ActiveVersion\", \"PreviousVersion\", …}.")

    @Option(name: .customLong("branch-key-id"), help: ArgumentHelp("The branch key's identifier.", valueName: "ID")) var branchKeyID: String
    @OptionGroup var store: BranchKeyStoreOptions

    func run() async throws {
        let keyStore = try store.store()
        let before = try await KMSAdmin.run("reading branch key \(branchKeyID)") { try await keyStore.describeBranchKey(branchKeyIdentifier: branchKeyID) }
        try await KMSAdmin.run("versioning branch key \(branchKeyID)") { try await keyStore.versionKey(branchKeyIdentifier: branchKeyID) }
        let after = try await KMSAdmin.run("reading branch key \(branchKeyID)") { try await keyStore.describeBranchKey(branchKeyIdentifier: branchKeyID) }
        JSONOutput.print(.object([("BranchKeyId", .string(branchKeyID))] + BranchKeyDescribe.fields(after)
            + [("PreviousVersion", .string(before.activeVersion))]))
    }
}

struct BranchKeyDescribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Print what the table says of a branch key: {\"BranchKeyId\", \"ActiveVersion\", \"CreateTime\", \"KmsKeyArn\", \"EncryptionContext\"} (no key material, no KMS call).")

    @Option(name: .customLong("branch-key-id"), help: ArgumentHelp("The branch key's identifier.", valueName: "ID")) var branchKeyID: String
    @OptionGroup var store: BranchKeyStoreOptions

    static func fields(_ description: BranchKeyDescription) -> [(String, JSONValue)] {
        [("ActiveVersion", .string(description.activeVersion)), ("CreateTime", .string(description.createTime)),
         ("KmsKeyArn", .string(description.kmsKeyARN)), ("HierarchyVersion", .string(description.hierarchyVersion)),
         ("EncryptionContext", .object(description.encryptionContext.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))]
    }

    func run() async throws {
        let keyStore = try store.store()
        let description = try await KMSAdmin.run("reading branch key \(branchKeyID)") { try await keyStore.describeBranchKey(branchKeyIdentifier: branchKeyID) }
        JSONOutput.print(.object([("BranchKeyId", .string(branchKeyID))] + Self.fields(description)))
    }
}
