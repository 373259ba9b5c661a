import EnvelopeCrypto
import EnvelopeKMS
import Foundation
import Logging

/// A `DynamoDBTransport` over DynamoDB's wire protocol (AWS JSON 1.0, `X-Amz-Target:
/// DynamoDB_20120810.<Operation>`, SigV4 signing name `dynamodb`), with the same HTTP client,
/// retries, credentials and endpoint resolution as ``KMSHTTPTransport``.
///
/// Service errors are thrown as `DynamoDBError` (with the per-item reasons of a cancelled
/// transaction); failures below the service as ``AWSTransportError``; missing credentials as
/// ``AWSCallError``. Each call is a `DynamoDB.<Operation>` span naming the table
/// (`aws.dynamodb.table_names`), never item contents.
public struct DynamoDBHTTPTransport: DynamoDBTransport {
    /// The Region requests go to.
    public let region: AWSRegion
    /// Endpoint URL and signing region.
    public let endpoint: AWSEndpoint
    /// The (cached, refreshed-before-expiry) credentials source.
    public let credentials: any AWSCredentialsProvider
    /// The HTTP client and its retry policy.
    public let http: AWSHTTPClient
    /// Receives one entry per attempt (debug); silent by default.
    public let logger: Logger

    /// Creates a transport. `credentials` is wrapped in a `RefreshingCredentialsProvider` unless it already is one.
    ///
    /// - Parameters:
    ///   - region: The Region requests go to.
    ///   - endpoint: The endpoint URL and signing region.
    ///   - credentials: The credentials source.
    ///   - http: The HTTP client (shared connection pool, retry policy).
    ///   - logger: Receives one entry per attempt.
    public init(
        region: AWSRegion,
        endpoint: AWSEndpoint,
        credentials: any AWSCredentialsProvider,
        http: AWSHTTPClient = AWSHTTPClient(),
        logger: Logger = Logger(label: "EnvelopeKMSHTTP", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = AWSStandardSetup.refreshing(credentials, http: http)
        self.http = http
        self.logger = logger
    }

    /// A transport configured the way the AWS CLI is (as ``KMSHTTPTransport/standard(region:keyIdentifier:profile:customEndpoint:useFIPS:credentials:environment:http:logger:)``):
    /// Region `region`, else `AWS_REGION` / `AWS_DEFAULT_REGION` / the profile's; endpoint
    /// `customEndpoint`, else `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`, the profile's, else the Region's.
    ///
    /// - Parameters:
    ///   - region: The Region; default the configured one.
    ///   - profile: The shared-config profile; default `AWS_PROFILE`.
    ///   - customEndpoint: An endpoint URL that wins over any configured one.
    ///   - useFIPS: Whether to use the FIPS endpoint; default as configured.
    ///   - credentials: The credentials; default the standard chain.
    ///   - environment: The environment to read settings from.
    ///   - http: The HTTP client; default one with the configured retry mode.
    ///   - logger: Receives one entry per attempt.
    public static func standard(
        region: String? = nil,
        profile: String? = nil,
        customEndpoint: String? = nil,
        useFIPS: Bool? = nil,
        credentials: (any AWSCredentialsProvider)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: AWSHTTPClient? = nil,
        logger: Logger = Logger(label: "EnvelopeKMSHTTP", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> DynamoDBHTTPTransport {
        let setup = try AWSStandardSetup.resolve(
            service: .dynamoDB, region: region, profile: profile, customEndpoint: customEndpoint, useFIPS: useFIPS,
            credentials: credentials, environment: environment, http: http)
        return DynamoDBHTTPTransport(region: setup.region, endpoint: setup.endpoint, credentials: setup.credentials, http: setup.http, logger: logger)
    }

    /// Sends one operation and returns its JSON output object.
    func call(_ operation: String, tables: [String], _ body: [String: Any]) async throws -> [String: Any] {
        let target = "DynamoDB_20120810.\(operation)"
        // Item bodies carry wrapped keys only (never plaintext keys); still, wipe our copy once sent.
        var payload = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        defer { payload.withUnsafeMutableBytes { ConstantTime.zero($0) } }
        let response: AWSHTTPResponse
        do {
            response = try await http.send(
                operation: target,
                url: endpoint.url,
                headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", target)],
                body: payload,
                signer: SigV4Signer(region: endpoint.signingRegion, service: AWSServiceID.dynamoDB.signingName),
                credentials: credentials,
                logger: logger,
                call: AWSCallDescription(service: "DynamoDB", method: operation, region: region.rawValue,
                                         attributes: ["aws.dynamodb.table_names": tables.joined(separator: ",")]))
        } catch let error as AWSCallError {
            switch error.failure {
            case .service(let answer):
                throw DynamoDBError(code: DynamoDBErrorCode(rawValue: answer.code), message: answer.message,
                                    cancellationReasons: answer.cancellationReasons.map(DynamoDBErrorCode.init(rawValue:)),
                                    operation: operation, httpStatus: answer.status, requestID: answer.requestId)
            case .transport(let failure): throw failure
            case .credentials: throw error
            }
        }
        let data = Data(response.body.isEmpty ? Array("{}".utf8) : response.body)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw malformed(operation, status: response.status, "is not a JSON object")
        }
        return object
    }

    private func malformed(_ operation: String, status: Int, _ what: String) -> AWSTransportError {
        AWSTransportError(operation: "DynamoDB_20120810.\(operation)", url: endpoint.url.absoluteString,
                          detail: .malformedResponse(status: status, what: what))
    }

    public func getItem(tableName: String, key: DynamoDBItem, consistentRead: Bool) async throws -> DynamoDBItem? {
        let output = try await call("GetItem", tables: [tableName],
                                    ["TableName": tableName, "Key": DynamoDBWire.json(key), "ConsistentRead": consistentRead])
        guard let raw = output["Item"] else { return nil }
        guard let object = raw as? [String: Any], let item = DynamoDBWire.item(object) else {
            throw malformed("GetItem", status: 200, "has an Item that is not a map of DynamoDB attribute values")
        }
        return item
    }

    public func transactWriteItems(_ puts: [DynamoDBPut]) async throws {
        var tables: [String] = []
        for put in puts where !tables.contains(put.tableName) { tables.append(put.tableName) }
        _ = try await call("TransactWriteItems", tables: tables, ["TransactItems": puts.map(DynamoDBWire.json)])
    }

    public func describeTable(tableName: String) async throws -> DynamoDBTableDescription {
        let output = try await call("DescribeTable", tables: [tableName], ["TableName": tableName])
        guard let table = (output["Table"] as? [String: Any]).flatMap(DynamoDBWire.tableDescription) else {
            throw malformed("DescribeTable", status: 200, "has no Table with a KeySchema")
        }
        return table
    }

    public func createTable(tableName: String, keySchema: [DynamoDBKeySchemaElement]) async throws -> DynamoDBTableDescription {
        let output = try await call("CreateTable", tables: [tableName], [
            "TableName": tableName,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": keySchema.map { ["AttributeName": $0.attributeName, "KeyType": $0.keyType.rawValue] },
            "AttributeDefinitions": keySchema.map { ["AttributeName": $0.attributeName, "AttributeType": "S"] },
        ])
        guard let table = (output["TableDescription"] as? [String: Any]).flatMap(DynamoDBWire.tableDescription) else {
            throw malformed("CreateTable", status: 200, "has no TableDescription with a KeySchema")
        }
        return table
    }
}
