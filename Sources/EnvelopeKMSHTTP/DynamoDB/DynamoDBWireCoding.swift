import EnvelopeKMS
import Foundation

/// DynamoDB's JSON 1.0 forms of attribute values, items, conditions and table descriptions.
///
/// AttributeValue: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
enum DynamoDBWire {
    /// `{"S": "…"}`, `{"N": "…"}`, `{"B": "<base64>"}`, …
    static func json(_ value: DynamoDBAttributeValue) -> [String: Any] {
        switch value {
        case .string(let text): ["S": text]
        case .number(let text): ["N": text]
        case .binary(let bytes): ["B": Data(bytes).base64EncodedString()]
        case .bool(let flag): ["BOOL": flag]
        case .null: ["NULL": true]
        case .list(let values): ["L": values.map(json)]
        case .map(let values): ["M": values.mapValues(json)]
        }
    }

    static func json(_ item: DynamoDBItem) -> [String: Any] { item.mapValues { json($0) } }

    /// Decodes one attribute value; `nil` if it is not one of the supported forms.
    static func value(_ object: Any) -> DynamoDBAttributeValue? {
        guard let object = object as? [String: Any], object.count == 1, let (type, payload) = object.first else { return nil }
        switch type {
        case "S": return (payload as? String).map { .string($0) }
        case "N": return (payload as? String).map { .number($0) }
        case "B": return (payload as? String).flatMap { Data(base64Encoded: $0) }.map { .binary(Array($0)) }
        case "BOOL": return (payload as? Bool).map { .bool($0) }
        case "NULL": return .null
        case "L":
            guard let list = payload as? [Any] else { return nil }
            let values = list.compactMap(value)
            return values.count == list.count ? .list(values) : nil
        case "M":
            guard let map = payload as? [String: Any] else { return nil }
            return item(map).map { .map($0) }
        default: return nil
        }
    }

    static func item(_ object: [String: Any]) -> DynamoDBItem? {
        var result: DynamoDBItem = [:]
        for (name, raw) in object {
            guard let decoded = value(raw) else { return nil }
            result[name] = decoded
        }
        return result
    }

    /// A condition as an expression with `#nK` name and `:vK` value placeholders.
    struct RenderedCondition {
        var expression = ""
        var names: [String: String] = [:]
        var values: [String: Any] = [:]

        init(_ condition: DynamoDBCondition) {
            expression = render(condition)
        }

        private mutating func name(_ attribute: String) -> String {
            if let existing = names.first(where: { $0.value == attribute })?.key { return existing }
            let placeholder = "#n\(names.count)"
            names[placeholder] = attribute
            return placeholder
        }

        private mutating func render(_ condition: DynamoDBCondition) -> String {
            switch condition {
            case .attributeNotExists(let attribute): return "attribute_not_exists(\(name(attribute)))"
            case .attributeExists(let attribute): return "attribute_exists(\(name(attribute)))"
            case .equals(let attribute, let value):
                let placeholder = ":v\(values.count)"
                values[placeholder] = DynamoDBWire.json(value)
                return "\(name(attribute)) = \(placeholder)"
            case .and(let left, let right): return "(\(render(left))) AND (\(render(right)))"
            }
        }
    }

    /// One `TransactItems` entry.
    static func json(_ put: DynamoDBPut) -> [String: Any] {
        var body: [String: Any] = ["TableName": put.tableName, "Item": json(put.item)]
        if let condition = put.condition {
            let rendered = RenderedCondition(condition)
            body["ConditionExpression"] = rendered.expression
            body["ExpressionAttributeNames"] = rendered.names
            if !rendered.values.isEmpty { body["ExpressionAttributeValues"] = rendered.values }
        }
        return ["Put": body]
    }

    /// `Table` / `TableDescription` of DescribeTable / CreateTable.
    static func tableDescription(_ object: [String: Any]) -> DynamoDBTableDescription? {
        guard let name = object["TableName"] as? String, let schema = object["KeySchema"] as? [[String: Any]] else { return nil }
        var elements: [DynamoDBKeySchemaElement] = []
        for element in schema {
            guard let attribute = element["AttributeName"] as? String,
                  let type = (element["KeyType"] as? String).flatMap(DynamoDBKeySchemaElement.KeyType.init(rawValue:)) else { return nil }
            elements.append(DynamoDBKeySchemaElement(attributeName: attribute, keyType: type))
        }
        return DynamoDBTableDescription(tableName: name, tableARN: object["TableArn"] as? String ?? "",
                                        tableStatus: object["TableStatus"] as? String ?? "", keySchema: elements)
    }
}
