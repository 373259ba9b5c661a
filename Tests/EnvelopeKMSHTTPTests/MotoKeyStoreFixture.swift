import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation

/// A moto server for the branch key store: DynamoDB and KMS, authentication off (the store's
/// table and policy checks are not moto's to test), two KMS keys. Tables are created by the tests
/// (through the store's `CreateKeyStore`). One per test process.
actor MotoKeyStoreFixture {
    static let shared = MotoKeyStoreFixture()
    private var info: Info?
    private var peer: PythonPeer?

    struct Info: Sendable {
        let endpoint: String
        let key1: KMSKeyARN
        let key2: KMSKeyARN

        var url: URL { URL(string: endpoint)! }
        var credentials: StaticCredentialsProvider {
            StaticCredentialsProvider(try! AWSCredentials(accessKeyId: "store-test", secretAccessKey: "store-test-secret"))
        }
        var kms: KMSHTTPTransport {
            KMSHTTPTransport(region: "us-east-1", endpoint: KMSEndpoint(url: url, signingRegion: "us-east-1"), credentials: credentials,
                             http: AWSHTTPClient(retryPolicy: .none))
        }
        func dynamoDB(http: AWSHTTPClient = AWSHTTPClient(retryPolicy: .none)) -> DynamoDBHTTPTransport {
            DynamoDBHTTPTransport(region: "us-east-1", endpoint: AWSEndpoint(url: url, signingRegion: "us-east-1"),
                                  credentials: credentials, http: http)
        }
        /// A store over `table` in this moto, its table created.
        func store(table: String, key: KMSKeyARN? = nil, logicalName: String? = nil) async throws -> KMSBranchKeyStore {
            let store = KMSBranchKeyStore(tableName: table, logicalKeyStoreName: logicalName ?? table,
                                          kmsConfiguration: .keyARN(key ?? key1), kms: kms, dynamoDB: dynamoDB())
            _ = try await store.createKeyStore()
            return store
        }
    }

    func start() throws -> Info {
        if let info { return info }
        let peer = try MotoServer.launch(setup: #"""
kms = boto3.client("kms", **setup)
for index in (1, 2):
    out[f"key{index}"] = kms.create_key(Description=f"branch key store test key {index}")["KeyMetadata"]["Arn"]
"""#)
        let info = Info(endpoint: peer.ready["endpoint"] as! String,
                        key1: try KMSKeyARN(parsing: peer.ready["key1"] as! String),
                        key2: try KMSKeyARN(parsing: peer.ready["key2"] as! String))
        self.peer = peer
        self.info = info
        return info
    }
}
