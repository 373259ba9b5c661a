/// The DynamoDB operations the branch key store needs, as one narrow, `Sendable` contract.
///
/// Implementations: ``InMemoryDynamoDB`` (in process, for tests and benchmarks) and the DynamoDB
/// JSON 1.0 protocol over HTTPS (`DynamoDBHTTPTransport` in EnvelopeKMSHTTP). Errors answered by
/// the service are thrown as ``DynamoDBError``; transports may throw other errors for failures
/// below the service (network, credentials).
public protocol DynamoDBTransport: Sendable {
    /// The Region requests go to.
    var region: AWSRegion { get }

    /// `GetItem`: the item with primary key `key` in `tableName`, or `nil` if there is none.
    ///
    /// - Parameters:
    ///   - tableName: The table.
    ///   - key: The item's full primary key (partition and sort key).
    ///   - consistentRead: Whether to ask for a strongly consistent read.
    func getItem(tableName: String, key: DynamoDBItem, consistentRead: Bool) async throws -> DynamoDBItem?

    /// `TransactWriteItems` of puts only: all are written, or none (a failed condition cancels the
    /// transaction with ``DynamoDBErrorCode/transactionCanceled`` and per-put reasons).
    ///
    /// - Parameter puts: The puts, each with its table, item and optional condition.
    func transactWriteItems(_ puts: [DynamoDBPut]) async throws

    /// `DescribeTable`: the table's ARN, status and key schema; ``DynamoDBErrorCode/resourceNotFound`` if it does not exist.
    ///
    /// - Parameter tableName: The table.
    func describeTable(tableName: String) async throws -> DynamoDBTableDescription

    /// `CreateTable` with on-demand billing, string key attributes and the given key schema.
    ///
    /// - Parameters:
    ///   - tableName: The table to create.
    ///   - keySchema: The partition key and optional sort key (all of type `S`).
    func createTable(tableName: String, keySchema: [DynamoDBKeySchemaElement]) async throws -> DynamoDBTableDescription
}

/// One put of a `TransactWriteItems` call.
public struct DynamoDBPut: Sendable, Hashable {
    /// The table.
    public var tableName: String
    /// The whole item, key attributes included.
    public var item: DynamoDBItem
    /// The condition the existing item (if any) must meet; `nil`: none.
    public var condition: DynamoDBCondition?

    /// Creates a put.
    ///
    /// - Parameters:
    ///   - tableName: The table.
    ///   - item: The whole item.
    ///   - condition: The condition on the existing item, if any.
    public init(tableName: String, item: DynamoDBItem, condition: DynamoDBCondition? = nil) {
        self.tableName = tableName
        self.item = item
        self.condition = condition
    }
}

/// A condition expression, as a value: the HTTP transport renders it with placeholders
/// (`attribute_not_exists(#n0)`, `#n1 = :v0`), the in-memory table evaluates it.
public indirect enum DynamoDBCondition: Sendable, Hashable {
    /// `attribute_not_exists(name)`.
    case attributeNotExists(String)
    /// `attribute_exists(name)`.
    case attributeExists(String)
    /// `name = value`.
    case equals(String, DynamoDBAttributeValue)
    /// `left AND right`.
    case and(DynamoDBCondition, DynamoDBCondition)

    /// Whether `item` (the existing item, `nil` if none) meets the condition.
    ///
    /// - Parameter item: The item currently stored under the put's key.
    public func isMet(by item: DynamoDBItem?) -> Bool {
        switch self {
        case .attributeNotExists(let name): item?[name] == nil
        case .attributeExists(let name): item?[name] != nil
        case .equals(let name, let value): item?[name] == value
        case .and(let left, let right): left.isMet(by: item) && right.isMet(by: item)
        }
    }
}

/// A key schema element: an attribute and its role.
public struct DynamoDBKeySchemaElement: Sendable, Hashable {
    /// The role of a key attribute.
    public enum KeyType: String, Sendable, Hashable {
        /// The partition key (`HASH`).
        case hash = "HASH"
        /// The sort key (`RANGE`).
        case range = "RANGE"
    }

    /// The attribute's name.
    public var attributeName: String
    /// Its role.
    public var keyType: KeyType

    /// Creates an element.
    ///
    /// - Parameters:
    ///   - attributeName: The attribute's name.
    ///   - keyType: Its role.
    public init(attributeName: String, keyType: KeyType) {
        self.attributeName = attributeName
        self.keyType = keyType
    }
}

/// What `DescribeTable` and `CreateTable` say of a table.
public struct DynamoDBTableDescription: Sendable, Hashable {
    /// The table's name.
    public var tableName: String
    /// The table's ARN.
    public var tableARN: String
    /// `CREATING`, `ACTIVE`, …
    public var tableStatus: String
    /// The key schema.
    public var keySchema: [DynamoDBKeySchemaElement]

    /// Creates a description.
    ///
    /// - Parameters:
    ///   - tableName: The table's name.
    ///   - tableARN: The table's ARN.
    ///   - tableStatus: Its status.
    ///   - keySchema: Its key schema.
    public init(tableName: String, tableARN: String, tableStatus: String, keySchema: [DynamoDBKeySchemaElement]) {
        self.tableName = tableName
        self.tableARN = tableARN
        self.tableStatus = tableStatus
        self.keySchema = keySchema
    }
}
