/// An in-process DynamoDB for tests and benchmarks: tables of items keyed by their key schema,
/// `TransactWriteItems` all-or-nothing with conditions evaluated as DynamoDB does, errors typed
/// as the service answers them, and a count of calls per operation.
///
/// Reads are always consistent. Not a general DynamoDB: only what ``DynamoDBTransport`` offers.
public actor InMemoryDynamoDB: DynamoDBTransport {
    private struct Table {
        var description: DynamoDBTableDescription
        var items: [[DynamoDBAttributeValue]: DynamoDBItem] = [:]

        func key(of item: DynamoDBItem) throws -> [DynamoDBAttributeValue] {
            try description.keySchema.map { element in
                guard let value = item[element.attributeName], case .string = value else {
                    throw DynamoDBError(code: .validation,
                                        message: "One of the required keys was not given a value: \(element.attributeName) (type S)")
                }
                return value
            }
        }
    }

    /// The Region requests go to (and table ARNs name).
    public nonisolated let region: AWSRegion
    /// The account table ARNs name.
    public nonisolated let account: AWSAccountID
    private var tables: [String: Table] = [:]
    private var counts: [String: Int] = [:]

    /// An empty DynamoDB.
    ///
    /// - Parameters:
    ///   - region: The Region its table ARNs name.
    ///   - account: The account its table ARNs name.
    public init(region: AWSRegion = "us-east-1", account: AWSAccountID = "000000000000") {
        self.region = region
        self.account = account
    }

    /// How many calls of each operation (`GetItem`, `TransactWriteItems`, …) were made.
    public var callCounts: [String: Int] { counts }

    /// The number of calls of `operation` so far.
    ///
    /// - Parameter operation: The operation's name, e.g. `GetItem`.
    public func callCount(_ operation: String) -> Int { counts[operation, default: 0] }

    /// Every item of `tableName` (for tests), in no particular order; empty if there is no such table.
    ///
    /// - Parameter tableName: The table.
    public func items(tableName: String) -> [DynamoDBItem] { tables[tableName].map { Array($0.items.values) } ?? [] }

    /// Writes `item` without any condition and without counting a call: a test's way to tamper with a table.
    ///
    /// - Parameters:
    ///   - item: The item (it replaces the item with the same key).
    ///   - tableName: The table.
    public func overwrite(_ item: DynamoDBItem, tableName: String) throws {
        var table = try existing(tableName, operation: "PutItem")
        table.items[try table.key(of: item)] = item
        tables[tableName] = table
    }

    public func getItem(tableName: String, key: DynamoDBItem, consistentRead: Bool) throws -> DynamoDBItem? {
        counts["GetItem", default: 0] += 1
        let table = try existing(tableName, operation: "GetItem")
        guard key.count == table.description.keySchema.count else {
            throw DynamoDBError(code: .validation, message: "The provided key element does not match the schema", operation: "GetItem")
        }
        return table.items[try table.key(of: key)]
    }

    public func transactWriteItems(_ puts: [DynamoDBPut]) throws {
        counts["TransactWriteItems", default: 0] += 1
        // Check every put against the items as they were before the transaction, then apply all.
        var reasons: [DynamoDBErrorCode] = []
        var keys: Set<[DynamoDBAttributeValue]> = []
        for put in puts {
            let table = try existing(put.tableName, operation: "TransactWriteItems")
            let key = try table.key(of: put.item)
            guard keys.insert([.string(put.tableName)] + key).inserted else {
                throw DynamoDBError(code: .validation, message: "Transaction request cannot include multiple operations on one item",
                                    operation: "TransactWriteItems")
            }
            let met = put.condition?.isMet(by: table.items[key]) ?? true
            reasons.append(met ? "None" : .conditionalCheckFailedReason)
        }
        guard reasons.allSatisfy({ $0 == "None" }) else {
            throw DynamoDBError(
                code: .transactionCanceled,
                message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
                cancellationReasons: reasons, operation: "TransactWriteItems")
        }
        for put in puts {
            var table = tables[put.tableName]!
            table.items[try table.key(of: put.item)] = put.item
            tables[put.tableName] = table
        }
    }

    public func describeTable(tableName: String) throws -> DynamoDBTableDescription {
        counts["DescribeTable", default: 0] += 1
        return try existing(tableName, operation: "DescribeTable").description
    }

    public func createTable(tableName: String, keySchema: [DynamoDBKeySchemaElement]) throws -> DynamoDBTableDescription {
        counts["CreateTable", default: 0] += 1
        guard tables[tableName] == nil else {
            throw DynamoDBError(code: .resourceInUse, message: "Table already exists: \(tableName)", operation: "CreateTable")
        }
        let description = DynamoDBTableDescription(
            tableName: tableName, tableARN: "arn:aws:dynamodb:\(region.rawValue):\(account.rawValue):table/\(tableName)",
            tableStatus: "ACTIVE", keySchema: keySchema)
        tables[tableName] = Table(description: description)
        return description
    }

    private func existing(_ tableName: String, operation: String) throws -> Table {
        guard let table = tables[tableName] else {
            throw DynamoDBError(code: .resourceNotFound, message: "Requested resource not found: Table: \(tableName) not found",
                                operation: operation)
        }
        return table
    }
}
