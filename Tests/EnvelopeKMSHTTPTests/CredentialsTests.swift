import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import Foundation
import Logging
import Testing

@Suite("Credentials, shared files and configuration")
struct CredentialsTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func temporaryFiles(credentials: String, config: String) throws -> (URL, [String: String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try credentials.write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return (directory, [
            "HOME": directory.path,
            "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
            "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path,
        ])
    }

    @Test("descriptions never show the secret or the session token")
    func redacted() throws {
        let credentials = try AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "TOKEN-VALUE-123")
        for text in ["\(credentials)", String(reflecting: credentials)] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("TOKEN-VALUE-123"))
        }
    }

    @Test("environment provider reads the three variables; a half-set pair is an error")
    func environment() async throws {
        let full = EnvironmentCredentialsProvider(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": "T"])
        let credentials = try await full.credentials(logger: logger)
        #expect(credentials.accessKeyId == "AKID")
        #expect(credentials.sessionToken == "T")
        #expect(credentials.secretAccessKey.unprotectedCopy() == Array("S".utf8))
        let missing = try await #require(throws: AWSCredentialsError.self) { try await EnvironmentCredentialsProvider(environment: [:]).credentials(logger: logger) }
        #expect(missing.kind == .notConfigured)
        let half = try await #require(throws: AWSCredentialsError.self) {
            try await EnvironmentCredentialsProvider(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials(logger: logger)
        }
        #expect(half.kind == .invalidConfiguration)
    }

    @Test("chain order: static, then environment, then shared files")
    func chainOrder() async throws {
        let (directory, files) = try temporaryFiles(credentials: "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n", config: "")
        defer { try? FileManager.default.removeItem(at: directory) }
        let http = AWSHTTPClient()
        var environment = files
        #expect(try await AWSCredentialsProviderChain.standard(environment: environment, http: http).credentials(logger: logger).accessKeyId == "FROMFILE")
        environment["AWS_ACCESS_KEY_ID"] = "FROMENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "s"
        #expect(try await AWSCredentialsProviderChain.standard(environment: environment, http: http).credentials(logger: logger).accessKeyId == "FROMENV")
        let fixed = try AWSCredentials(accessKeyId: "STATIC", secretAccessKey: "s")
        #expect(try await AWSCredentialsProviderChain.standard(staticCredentials: fixed, environment: environment, http: http).credentials(logger: logger).accessKeyId == "STATIC")
        let none = try await #require(throws: AWSCredentialsError.self) {
            try await AWSCredentialsProviderChain.standard(environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"], http: http).credentials(logger: logger)
        }
        #expect(none.message.contains("no AWS credentials found"))
    }

    @Test("profiles: AWS_PROFILE and profile=, [profile x] in config, credentials file wins, comments")
    func profiles() async throws {
        let (directory, files) = try temporaryFiles(
            credentials: """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = s1
            [dev]
            aws_access_key_id = DEVKEY ; inline comment
            aws_secret_access_key = s2
            aws_session_token = tok
            """,
            config: """
            [default]
            region = eu-central-1
            [profile dev]
            region = ap-southeast-2
            aws_access_key_id = OVERRIDDEN
            [sso-session corp]
            sso_region = us-east-1
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let http = AWSHTTPClient()
        let byEnvironment = ProfileCredentialsProvider(environment: files.merging(["AWS_PROFILE": "dev"]) { $1 }, http: http)
        let dev = try await byEnvironment.credentials(logger: logger)
        #expect(dev.accessKeyId == "DEVKEY")
        #expect(dev.sessionToken == "tok")
        let explicit = try await ProfileCredentialsProvider(profile: "default", environment: files.merging(["AWS_PROFILE": "dev"]) { $1 }, http: http).credentials(logger: logger)
        #expect(explicit.accessKeyId == "DEFAULTKEY")
        #expect(AWSSharedConfig(profile: "dev", environment: files).region == "ap-southeast-2")
        #expect(AWSSharedConfig(environment: files).region == "eu-central-1")
        #expect(AWSSharedConfig(environment: files.merging(["AWS_DEFAULT_REGION": "us-west-1"]) { $1 }).region == "us-west-1")
        #expect(AWSSharedConfig(environment: files.merging(["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-1"]) { $1 }).region == "us-west-2")
        #expect(AWSSharedConfig(environment: files).configProfiles["corp"] == nil)
        let missing = try await #require(throws: AWSCredentialsError.self) {
            try await ProfileCredentialsProvider(profile: "nope", environment: files, http: http).credentials(logger: logger)
        }
        #expect(missing.kind == .invalidConfiguration)
    }

    @Test("refreshing provider reuses fresh credentials and refreshes before expiry")
    func refresh() async throws {
        actor Counter: AWSCredentialsProvider {
            var calls = 0
            let lifetime: TimeInterval
            init(lifetime: TimeInterval) { self.lifetime = lifetime }
            func credentials(logger: Logger) async throws -> AWSCredentials {
                calls += 1
                return try AWSCredentials(accessKeyId: "K\(calls)", secretAccessKey: "s", sessionToken: "t", expiration: Date().addingTimeInterval(lifetime))
            }
        }
        let longLived = Counter(lifetime: 3600)
        let cached = RefreshingCredentialsProvider(longLived, refreshMargin: 300)
        #expect(try await cached.credentials(logger: logger).accessKeyId == "K1")
        #expect(try await cached.credentials(logger: logger).accessKeyId == "K1")
        #expect(await longLived.calls == 1)
        let expiring = Counter(lifetime: 120)  // inside the 300 s margin: refreshed on every use
        let refreshing = RefreshingCredentialsProvider(expiring, refreshMargin: 300)
        #expect(try await refreshing.credentials(logger: logger).accessKeyId == "K1")
        #expect(try await refreshing.credentials(logger: logger).accessKeyId == "K2")
    }

    @Test("standard transport: region from the key ARN, endpoint from --kms-endpoint / AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL, FIPS")
    func standardConfiguration() throws {
        let base = ["HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"]
        let key = try KMSKeyIdentifier(parsing: "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        let fromARN = try KMSHTTPTransport.standard(keyIdentifier: key, environment: base.merging(["AWS_REGION": "us-east-1"]) { $1 })
        #expect(fromARN.endpoint.url.absoluteString == "https://kms.cn-north-1.amazonaws.com.cn")
        #expect(fromARN.region.rawValue == "cn-north-1")
        let fromEnv = try KMSHTTPTransport.standard(environment: base.merging(["AWS_DEFAULT_REGION": "eu-west-1"]) { $1 })
        #expect(fromEnv.endpoint.url.absoluteString == "https://kms.eu-west-1.amazonaws.com")
        let fips = try KMSHTTPTransport.standard(region: "us-gov-west-1", useFIPS: true, environment: base)
        #expect(fips.endpoint.url.absoluteString == "https://kms-fips.us-gov-west-1.amazonaws.com")
        let general = base.merging(["AWS_REGION": "us-east-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:1111"]) { $1 }
        #expect(try KMSHTTPTransport.standard(environment: general).endpoint.url.absoluteString == "http://127.0.0.1:1111")
        let specific = general.merging(["AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:2222"]) { $1 }
        #expect(try KMSHTTPTransport.standard(environment: specific).endpoint.url.absoluteString == "http://127.0.0.1:2222")
        let flag = try KMSHTTPTransport.standard(customEndpoint: "http://localhost:3333", environment: specific)
        #expect(flag.endpoint.url.absoluteString == "http://localhost:3333")
        #expect(flag.endpoint.signingRegion == "us-east-2")
        #expect(throws: KMSEndpointError.self) { try KMSHTTPTransport.standard(environment: base) }
    }
}
