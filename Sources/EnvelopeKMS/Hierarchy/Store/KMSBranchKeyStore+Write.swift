import Foundation

extension KMSBranchKeyStore {
    /// The key schema of a branch key store table: `branch-key-id` (partition) and `type` (sort), both strings.
    public static let tableKeySchema = [
        DynamoDBKeySchemaElement(attributeName: BranchKeyItem.branchKeyIDName, keyType: .hash),
        DynamoDBKeySchemaElement(attributeName: BranchKeyItem.typeName, keyType: .range),
    ]

    /// `CreateKeyStore`: checks that the table exists with the store's key schema, or creates it
    /// (on-demand billing); returns the table's ARN.
    public func createKeyStore() async throws -> String {
        do {
            let table = try await dynamoDB.describeTable(tableName: tableName)
            guard Set(table.keySchema) == Set(Self.tableKeySchema) else {
                throw BranchKeyStoreError(.tableKeySchemaMismatch,
                                          "table \(tableName) exists with another key schema; a branch key store table has branch-key-id (partition, S) and type (sort, S)")
            }
            return table.tableARN
        } catch let error as DynamoDBError where error.code == .resourceNotFound {
            return try await dynamo("CreateTable", nil) {
                try await dynamoDB.createTable(tableName: tableName, keySchema: Self.tableKeySchema).tableARN
            }
        } catch {
            throw dynamoFailure("DescribeTable", nil, error)
        }
    }

    /// `CreateKey`: a new branch key (its first version, active) and its beacon key, written in one
    /// transaction that fails if the branch key exists. Returns the branch key's identifier.
    ///
    /// - Parameters:
    ///   - branchKeyIdentifier: The identifier; default a new version 4 UUID. A given identifier
    ///     needs a non-empty `encryptionContext` (as the specification requires).
    ///   - encryptionContext: Custom encryption context bound to every version (stored as
    ///     `aws-crypto-ec:` attributes).
    @discardableResult
    public func createKey(branchKeyIdentifier: String? = nil, encryptionContext: [String: String] = [:]) async throws -> String {
        let kmsKey = try writingKey()
        if let branchKeyIdentifier {
            guard !branchKeyIdentifier.isEmpty else { throw BranchKeyStoreError(.invalidRequest, "the branch key identifier is empty") }
            guard !encryptionContext.isEmpty else {
                throw BranchKeyStoreError(.invalidRequest, branchKeyIdentifier: branchKeyIdentifier,
                                          "a branch key identifier chosen by the caller needs a non-empty encryption context")
            }
        }
        let identifier = branchKeyIdentifier ?? UUID().uuidString.lowercased()
        let createTime = Self.timestamp(now())
        let (versionItem, activeItem) = try await wrapNewVersion(identifier, kmsARN: kmsKey.description, callKey: kmsKey,
                                                                 createTime: createTime, encryptionContext: encryptionContext)
        var beacon = BranchKeyItem(branchKeyIdentifier: identifier, type: BranchKeyItem.beaconType, version: nil,
                                   createTime: createTime, kmsARN: kmsKey.description, customEncryptionContext: encryptionContext)
        beacon.enc = try await generateWrapped(beacon, key: kmsKey)
        let absent = DynamoDBCondition.attributeNotExists(BranchKeyItem.branchKeyIDName)
        do {
            try await dynamoDB.transactWriteItems([
                DynamoDBPut(tableName: tableName, item: versionItem.dynamoDBItem, condition: absent),
                DynamoDBPut(tableName: tableName, item: activeItem.dynamoDBItem, condition: absent),
                DynamoDBPut(tableName: tableName, item: beacon.dynamoDBItem, condition: absent),
            ])
        } catch let error as DynamoDBError where error.isConditionalCheckFailure {
            throw BranchKeyStoreError(.branchKeyExists, branchKeyIdentifier: identifier,
                                      "table \(tableName) already has this branch key; version it instead, or choose another identifier", cause: error)
        } catch {
            throw dynamoFailure("TransactWriteItems", identifier, error)
        }
        return identifier
    }

    /// `VersionKey` (rotation): a new active version of the branch key. The current active item is
    /// read (consistently) and authenticated with `kms:ReEncrypt`; the new version is written only
    /// if the active item is still the one read (else ``BranchKeyStoreError/Kind/concurrentModification``).
    /// Older versions stay readable.
    ///
    /// - Parameter branchKeyIdentifier: The branch key's identifier.
    public func versionKey(branchKeyIdentifier: String) async throws {
        let kmsKey = try writingKey()
        let active = try await read(branchKeyIdentifier, type: BranchKeyItem.activeType, consistent: true)
        _ = try allowedKey(of: active)
        // Authenticate the active item: KMS re-encrypts it only under its exact encryption context.
        let context = active.encryptionContext(logicalKeyStoreName: logicalKeyStoreName)
        _ = try await kmsCall("ReEncrypt", branchKeyIdentifier) {
            try await kms.reEncrypt(ReEncryptRequest(ciphertextBlob: active.enc, sourceKeyId: .keyARN(kmsKey), sourceEncryptionContext: context,
                                                     destinationKeyId: .keyARN(kmsKey), destinationEncryptionContext: context,
                                                     grantTokens: grantTokens))
        }
        // The stored kms-arn never changes (a multi-Region compatible store may be configured with a replica).
        let (versionItem, activeItem) = try await wrapNewVersion(
            branchKeyIdentifier, kmsARN: active.kmsARN, callKey: kmsKey, createTime: Self.timestamp(now()),
            encryptionContext: active.customEncryptionContext)
        do {
            try await dynamoDB.transactWriteItems([
                DynamoDBPut(tableName: tableName, item: versionItem.dynamoDBItem,
                            condition: .attributeNotExists(BranchKeyItem.branchKeyIDName)),
                DynamoDBPut(tableName: tableName, item: activeItem.dynamoDBItem,
                            condition: .and(.attributeExists(BranchKeyItem.branchKeyIDName), .equals(BranchKeyItem.encName, .binary(active.enc)))),
            ])
        } catch let error as DynamoDBError where error.isConditionalCheckFailure {
            throw BranchKeyStoreError(.concurrentModification, branchKeyIdentifier: branchKeyIdentifier,
                                      "the active version changed while this version was made (another writer versioned the key); retry", cause: error)
        } catch {
            throw dynamoFailure("TransactWriteItems", branchKeyIdentifier, error)
        }
    }

    /// The configured key, or the refusal of the discovery configurations.
    private func writingKey() throws -> KMSKeyARN {
        guard let key = kmsConfiguration.keyARN else {
            throw BranchKeyStoreError(.discoveryCannotWrite,
                                      "a store in \(kmsConfiguration) mode only reads; configure it with a KMS key ARN to create or version branch keys")
        }
        return key
    }

    /// The DECRYPT_ONLY and ACTIVE items of a new version: `GenerateDataKeyWithoutPlaintext` under
    /// the DECRYPT_ONLY context, `ReEncrypt` to the ACTIVE context.
    private func wrapNewVersion(_ identifier: String, kmsARN: String, callKey: KMSKeyARN, createTime: String,
                                encryptionContext: [String: String]) async throws -> (BranchKeyItem, BranchKeyItem) {
        let version = BranchKeyItem.versionTypePrefix + UUID().uuidString.lowercased()
        var decryptOnly = BranchKeyItem(branchKeyIdentifier: identifier, type: version, version: nil, createTime: createTime,
                                        kmsARN: kmsARN, customEncryptionContext: encryptionContext)
        var active = BranchKeyItem(branchKeyIdentifier: identifier, type: BranchKeyItem.activeType, version: version,
                                   createTime: createTime, kmsARN: kmsARN, customEncryptionContext: encryptionContext)
        decryptOnly.enc = try await generateWrapped(decryptOnly, key: callKey)
        let request = ReEncryptRequest(
            ciphertextBlob: decryptOnly.enc, sourceKeyId: .keyARN(callKey),
            sourceEncryptionContext: decryptOnly.encryptionContext(logicalKeyStoreName: logicalKeyStoreName),
            destinationKeyId: .keyARN(callKey), destinationEncryptionContext: active.encryptionContext(logicalKeyStoreName: logicalKeyStoreName),
            grantTokens: grantTokens)
        active.enc = try await kmsCall("ReEncrypt", identifier) { try await kms.reEncrypt(request) }.ciphertextBlob
        return (decryptOnly, active)
    }

    /// `GenerateDataKeyWithoutPlaintext` of 32 bytes under the item's encryption context.
    private func generateWrapped(_ item: BranchKeyItem, key: KMSKeyARN) async throws -> [UInt8] {
        let request = GenerateDataKeyWithoutPlaintextRequest(
            keyId: .keyARN(key), encryptionContext: item.encryptionContext(logicalKeyStoreName: logicalKeyStoreName),
            numberOfBytes: 32, grantTokens: grantTokens)
        return try await kmsCall("GenerateDataKeyWithoutPlaintext", item.branchKeyIdentifier) {
            try await kms.generateDataKeyWithoutPlaintext(request)
        }.ciphertextBlob
    }

    /// ISO 8601 in UTC to the microsecond: `YYYY-MM-DDTHH:mm:ss.ssssssZ`.
    static func timestamp(_ date: Date) -> String {
        let since1970 = date.timeIntervalSince1970
        let whole = since1970.rounded(.down)
        let micros = min(999_999, Int(((since1970 - whole) * 1_000_000).rounded(.down)))
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }
}
