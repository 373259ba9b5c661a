/// A DynamoDB attribute value: the data types the branch key store reads and writes, plus the
/// document types so that any item can be represented.
///
/// DynamoDB data types: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
public enum DynamoDBAttributeValue: Sendable, Hashable {
    /// `S`: a string.
    case string(String)
    /// `N`: a number, as DynamoDB carries it: its decimal text.
    case number(String)
    /// `B`: binary data.
    case binary([UInt8])
    /// `BOOL`: a Boolean.
    case bool(Bool)
    /// `NULL`: the null value.
    case null
    /// `L`: a list of values.
    case list([DynamoDBAttributeValue])
    /// `M`: a map of named values.
    case map([String: DynamoDBAttributeValue])

    /// The DynamoDB type descriptor: `S`, `N`, `B`, `BOOL`, `NULL`, `L` or `M`.
    public var typeDescriptor: String {
        switch self {
        case .string: "S"
        case .number: "N"
        case .binary: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .list: "L"
        case .map: "M"
        }
    }

    /// The string of an `S` value; `nil` for other types.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The decimal text of an `N` value; `nil` for other types.
    public var numberValue: String? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The bytes of a `B` value; `nil` for other types.
    public var binaryValue: [UInt8]? {
        if case .binary(let value) = self { return value }
        return nil
    }
}

/// A DynamoDB item (or key): attribute names and their values.
public typealias DynamoDBItem = [String: DynamoDBAttributeValue]
