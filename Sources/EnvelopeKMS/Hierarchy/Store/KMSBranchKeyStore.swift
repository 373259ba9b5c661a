import EnvelopeCrypto
import Foundation

/// The branch key store of the specification (`KeyStore`): branch keys and beacon keys in a
/// DynamoDB table, wrapped under a KMS key, each item authenticated by its KMS encryption context.
///
/// Items are laid out exactly as the AWS Material Providers Library writes them (hierarchy
/// version 1), so a table is shared with the official ESDKs. Reads (``activeBranchKey(branchKeyIdentifier:)``,
/// ``branchKeyVersion(branchKeyIdentifier:version:)``, ``beaconKey(branchKeyIdentifier:)``) are one
/// `GetItem` and one `kms:Decrypt` each; ``createKey(branchKeyIdentifier:encryptionContext:)`` and
/// ``versionKey(branchKeyIdentifier:)`` write with `kms:GenerateDataKeyWithoutPlaintext` and
/// `kms:ReEncrypt` and one conditional `TransactWriteItems`.
///
/// Spec: framework/branch-key-store.md.
public struct KMSBranchKeyStore: BranchKeyStore {
    /// The DynamoDB table.
    public let tableName: String
    /// The name bound into every item's encryption context (`tablename`); it must be the same for
    /// every reader and writer of the table.
    public let logicalKeyStoreName: String
    /// Which KMS key(s) the store may use.
    public let kmsConfiguration: BranchKeyStoreKMSConfiguration
    /// Grant tokens sent with every KMS call.
    public let grantTokens: [String]
    /// The KMS client.
    public let kms: any KMSTransport
    /// The DynamoDB client.
    public let dynamoDB: any DynamoDBTransport
    /// Whether reads ask DynamoDB for strongly consistent reads (versioning always does).
    public let consistentReads: Bool
    /// This store's identifier (a version 4 UUID unless given).
    public let identifier: String
    let now: @Sendable () -> Date

    /// A store over `tableName`.
    ///
    /// - Parameters:
    ///   - tableName: The DynamoDB table.
    ///   - logicalKeyStoreName: The logical key store name bound into every item.
    ///   - kmsConfiguration: Which KMS key(s) the store may use.
    ///   - kms: The KMS client.
    ///   - dynamoDB: The DynamoDB client.
    ///   - grantTokens: Grant tokens for every KMS call.
    ///   - consistentReads: Whether reads are strongly consistent.
    ///   - identifier: The store's identifier; default a new version 4 UUID.
    public init(tableName: String, logicalKeyStoreName: String, kmsConfiguration: BranchKeyStoreKMSConfiguration,
                kms: any KMSTransport, dynamoDB: any DynamoDBTransport, grantTokens: [String] = [],
                consistentReads: Bool = false, identifier: String? = nil) {
        self.init(tableName: tableName, logicalKeyStoreName: logicalKeyStoreName, kmsConfiguration: kmsConfiguration, kms: kms,
                  dynamoDB: dynamoDB, grantTokens: grantTokens, consistentReads: consistentReads, identifier: identifier, now: { Date() })
    }

    init(tableName: String, logicalKeyStoreName: String, kmsConfiguration: BranchKeyStoreKMSConfiguration,
         kms: any KMSTransport, dynamoDB: any DynamoDBTransport, grantTokens: [String], consistentReads: Bool,
         identifier: String?, now: @escaping @Sendable () -> Date) {
        self.tableName = tableName
        self.logicalKeyStoreName = logicalKeyStoreName
        self.kmsConfiguration = kmsConfiguration
        self.grantTokens = grantTokens
        self.kms = kms
        self.dynamoDB = dynamoDB
        self.consistentReads = consistentReads
        self.identifier = identifier ?? UUID().uuidString.lowercased()
        self.now = now
    }

    // MARK: Reads

    /// The active version of a branch key: `GetItem` of `branch:ACTIVE`, then `kms:Decrypt` under
    /// the item's encryption context.
    ///
    /// - Parameter branchKeyIdentifier: The branch key's identifier.
    public func activeBranchKey(branchKeyIdentifier: String) async throws -> BranchKeyMaterials {
        let item = try await read(branchKeyIdentifier, type: BranchKeyItem.activeType, consistent: consistentReads)
        return try await branchKeyMaterials(of: item)
    }

    /// A given version of a branch key: `GetItem` of `branch:version:<version>`, then `kms:Decrypt`.
    ///
    /// - Parameters:
    ///   - branchKeyIdentifier: The branch key's identifier.
    ///   - version: The version's UUID string.
    public func branchKeyVersion(branchKeyIdentifier: String, version: String) async throws -> BranchKeyMaterials {
        guard !version.isEmpty else {
            throw BranchKeyStoreError(.invalidRequest, branchKeyIdentifier: branchKeyIdentifier, "the branch key version is empty")
        }
        let item = try await read(branchKeyIdentifier, type: BranchKeyItem.versionTypePrefix + version, consistent: consistentReads)
        return try await branchKeyMaterials(of: item)
    }

    /// The beacon key of a branch key: `GetItem` of `beacon:ACTIVE`, then `kms:Decrypt`.
    ///
    /// - Parameter branchKeyIdentifier: The branch key's identifier.
    public func beaconKey(branchKeyIdentifier: String) async throws -> BeaconKeyMaterials {
        let item = try await read(branchKeyIdentifier, type: BranchKeyItem.beaconType, consistent: consistentReads)
        let key = try await unwrap(item)
        return BeaconKeyMaterials(beaconKeyIdentifier: item.branchKeyIdentifier, encryptionContext: item.customEncryptionContext, beaconKey: key)
    }

    /// What the table says of a branch key without unwrapping it: the active item's version,
    /// creation time, KMS key and custom encryption context (`GetItem` only, no KMS call).
    ///
    /// - Parameter branchKeyIdentifier: The branch key's identifier.
    public func describeBranchKey(branchKeyIdentifier: String) async throws -> BranchKeyDescription {
        let item = try await read(branchKeyIdentifier, type: BranchKeyItem.activeType, consistent: true)
        return BranchKeyDescription(branchKeyIdentifier: branchKeyIdentifier, activeVersion: item.versionUUID ?? "",
                                    createTime: item.createTime, kmsKeyARN: item.kmsARN, hierarchyVersion: item.hierarchyVersion,
                                    encryptionContext: item.customEncryptionContext)
    }

    /// Materials from an authenticated item.
    private func branchKeyMaterials(of item: BranchKeyItem) async throws -> BranchKeyMaterials {
        let key = try await unwrap(item)
        guard let version = item.versionUUID else {
            throw BranchKeyStoreError(.malformedItem, branchKeyIdentifier: item.branchKeyIdentifier, "the \(item.type) item names no version")
        }
        return BranchKeyMaterials(branchKeyIdentifier: item.branchKeyIdentifier, branchKeyVersion: version,
                                  encryptionContext: item.customEncryptionContext, branchKey: key)
    }

    /// `GetItem` of one item, parsed.
    func read(_ branchKeyIdentifier: String, type: String, consistent: Bool) async throws -> BranchKeyItem {
        guard !branchKeyIdentifier.isEmpty else {
            throw BranchKeyStoreError(.invalidRequest, "the branch key identifier is empty")
        }
        let found = try await dynamo("GetItem", branchKeyIdentifier) {
            try await dynamoDB.getItem(tableName: tableName, key: BranchKeyItem.key(branchKeyIdentifier: branchKeyIdentifier, type: type),
                                       consistentRead: consistent)
        }
        guard let found else {
            throw BranchKeyStoreError(.itemNotFound, branchKeyIdentifier: branchKeyIdentifier,
                                      "table \(tableName) has no \(type) item; check the branch key identifier (and version) and the table")
        }
        return try BranchKeyItem(parsing: found, branchKeyIdentifier: branchKeyIdentifier, type: type)
    }

    /// The item's KMS key, checked against the configuration.
    func allowedKey(of item: BranchKeyItem) throws -> KMSKeyARN {
        guard let stored = try? KMSKeyARN(parsing: item.kmsARN) else {
            throw BranchKeyStoreError(.malformedItem, branchKeyIdentifier: item.branchKeyIdentifier,
                                      "the \(item.type) item's kms-arn is not a KMS key ARN")
        }
        guard kmsConfiguration.isCompatible(with: stored) else {
            throw BranchKeyStoreError(.kmsKeyNotAllowed, branchKeyIdentifier: item.branchKeyIdentifier,
                                      "the \(item.type) item is wrapped under \(stored), not the configured \(kmsConfiguration); configure the store with that key")
        }
        return stored
    }

    /// `kms:Decrypt` of the item's `enc` under its encryption context; a 32-byte key.
    private func unwrap(_ item: BranchKeyItem) async throws -> SecureBytes {
        let key = kmsConfiguration.keyForCall(stored: try allowedKey(of: item))
        let request = DecryptRequest(ciphertextBlob: item.enc, keyId: .keyARN(key),
                                     encryptionContext: item.encryptionContext(logicalKeyStoreName: logicalKeyStoreName),
                                     grantTokens: grantTokens)
        let response = try await kmsCall("Decrypt", item.branchKeyIdentifier) { try await kms.decrypt(request) }
        guard response.keyId == key else {
            throw BranchKeyStoreError(.unexpectedKMSResponse, branchKeyIdentifier: item.branchKeyIdentifier,
                                      "KMS decrypted the \(item.type) item with \(response.keyId), not \(key)")
        }
        guard response.plaintext.count == 32 else {
            throw BranchKeyStoreError(.unexpectedKMSResponse, branchKeyIdentifier: item.branchKeyIdentifier,
                                      "KMS returned a \(response.plaintext.count)-byte key for the \(item.type) item, not 32 bytes")
        }
        return response.plaintext
    }

    // MARK: Calls, their errors wrapped with what the store was doing

    func kmsCall<T>(_ operation: String, _ branchKeyIdentifier: String?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BranchKeyStoreError {
            throw error
        } catch {
            throw BranchKeyStoreError(.kmsCallFailed, branchKeyIdentifier: branchKeyIdentifier,
                                      "kms:\(operation) failed", cause: error)
        }
    }

    func dynamo<T>(_ operation: String, _ branchKeyIdentifier: String?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw dynamoFailure(operation, branchKeyIdentifier, error)
        }
    }

    /// A DynamoDB call's failure as the store reports it (a missing table by its own kind).
    func dynamoFailure(_ operation: String, _ branchKeyIdentifier: String?, _ error: any Error) -> BranchKeyStoreError {
        if let error = error as? BranchKeyStoreError { return error }
        if let error = error as? DynamoDBError, error.code == .resourceNotFound {
            return BranchKeyStoreError(.tableNotFound, branchKeyIdentifier: branchKeyIdentifier,
                                       "DynamoDB table \(tableName) does not exist in \(dynamoDB.region.rawValue); create it (`CreateKeyStore`) or check the table name and Region",
                                       cause: error)
        }
        return BranchKeyStoreError(.dynamoDBCallFailed, branchKeyIdentifier: branchKeyIdentifier,
                                   "DynamoDB \(operation) on table \(tableName) failed", cause: error)
    }
}

/// What the table says of a branch key (no key material): see
/// ``KMSBranchKeyStore/describeBranchKey(branchKeyIdentifier:)``.
public struct BranchKeyDescription: Sendable, Hashable, Codable {
    /// The branch key's identifier.
    public var branchKeyIdentifier: String
    /// The active version's UUID string.
    public var activeVersion: String
    /// When the active version was created (ISO 8601, UTC).
    public var createTime: String
    /// The KMS key the branch key is wrapped under.
    public var kmsKeyARN: String
    /// The hierarchy version (`1`).
    public var hierarchyVersion: String
    /// The custom encryption context (keys without the `aws-crypto-ec:` prefix).
    public var encryptionContext: [String: String]
}
