import EnvelopeCrypto
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// A temporary HOME with shared files, and the environment pointing at them. Instance metadata is
/// pointed at a closed loopback port unless a test sets it: no test ever reaches 169.254.*.
struct CredentialsSandbox {
    let directory: URL
    var environment: [String: String]

    init(config: String = "", credentials: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try credentials.write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        environment = [
            "HOME": directory.path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path,
            "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": try LoopbackHTTPServer.closedPortURL().absoluteString,
            "AWS_METADATA_SERVICE_TIMEOUT": CredentialsSandbox.metadataTimeout,
        ]
    }

    /// IMDS's attempt timeout in tests (1 s by default): the loopback fakes answer at once, and a
    /// loaded machine (TSan, parallel suites) must not turn an answer into a timeout. A closed port
    /// is still refused at once.
    static let metadataTimeout = "60"

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        return url.path
    }

    /// Writes the cached `aws sso login` token for `key` (session name or start URL).
    func writeSSOToken(key: String, token: String, expiresAt: Date) throws {
        let name = SigV4Encoding.hex(try HashFunction.sha1.digest(Array(key.utf8)))
        let formatter = ISO8601DateFormatter()
        try write(".aws/sso/cache/\(name).json", #"{"accessToken": "\#(token)", "expiresAt": "\#(formatter.string(from: expiresAt))", "region": "us-east-1"}"#)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// A value a fake's closure reads and a test changes.
final class Box<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

let silent = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

func expectSame(_ credentials: AWSCredentials, _ fake: FakeAWSCredentials, source: AWSCredentialSource) {
    #expect(credentials.accessKeyId == fake.accessKeyId)
    #expect(credentials.secretAccessKey.unprotectedCopy() == Array(fake.secret.utf8))
    #expect(credentials.sessionToken == fake.sessionToken)
    #expect(credentials.source == source)
}

@Suite("Credential providers against loopback fakes of their endpoints")
struct CredentialProviderTests {
    // IMDSv2: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
    // and the SDKs' IMDS provider: https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
    @Test("IMDS: PUT /latest/api/token with a TTL header, then role name and credentials, every GET with the token")
    func imdsTokenFlow() async throws {
        let issued = FakeAWSCredentials(tag: "imds")
        let fake = try AWSEndpointFakes.imds { issued }
        let box = try CredentialsSandbox()
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fake.url.absoluteString
        let provider = InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: AWSSharedConfig(environment: environment)))
        let credentials = try await provider.credentials(logger: silent)
        expectSame(credentials, issued, source: .instanceMetadata)
        #expect(credentials.expiration != nil)
        let requests = fake.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(requests[0].path == "/latest/api/token")
        #expect(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
        #expect(requests[1].path == "/latest/meta-data/iam/security-credentials/")
        #expect(requests[2].path == "/latest/meta-data/iam/security-credentials/envelope-instance-role")
        #expect(requests.dropFirst().allSatisfy { $0.header("X-aws-ec2-metadata-token") != nil }, "no tokenless (IMDSv1) request")
        #expect(try await InstanceMetadataClient(config: AWSSharedConfig(environment: environment)).region() == "eu-west-3")
    }

    @Test("IMDS: a refused token is an error, never a fallback to a tokenless IMDSv1 request")
    func imdsNoV1Fallback() async throws {
        let fake = try LoopbackHTTPServer { request in
            request.method == "PUT" ? .text("Forbidden", status: 403) : .text("envelope-instance-role")
        }
        let environment = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.url.absoluteString, "HOME": "/nonexistent",
                           "AWS_METADATA_SERVICE_TIMEOUT": CredentialsSandbox.metadataTimeout]
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: AWSSharedConfig(environment: environment))).credentials(logger: silent)
        }
        #expect(error.kind == .endpointFailed)
        #expect(error.source == .instanceMetadata)
        #expect(fake.requests.allSatisfy { $0.method == "PUT" }, "no GET without a token")
    }

    @Test("IMDS: unreachable is a fast one-line error (1 s, 1 attempt by default); AWS_EC2_METADATA_DISABLED skips it")
    func imdsUnreachableAndDisabled() async throws {
        let closed = try LoopbackHTTPServer.closedPortURL()
        let config = AWSSharedConfig(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": closed.absoluteString, "HOME": "/nonexistent"])
        let client = InstanceMetadataClient(config: config)
        #expect(client.client.timeout == 1 && client.client.attempts == 1, "the SDKs' defaults: 1 s timeout, 1 attempt")
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await InstanceMetadataCredentialsProvider(client: client).credentials(logger: silent)
        }
        #expect(error.kind == .endpointUnreachable)
        #expect(!error.description.contains("\n"))
        let disabled = try await #require(throws: AWSCredentialsError.self) {
            try await InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: AWSSharedConfig(
                environment: ["AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"]))).credentials(logger: silent)
        }
        #expect(disabled.kind == .notConfigured)
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
    @Test("container: GET the full URI with Authorization from the token file, re-read on every call")
    func containerTokenFile() async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        let tokenFile = try box.write("eks-pod-identity-token", "first-token\n")
        let expected = Box<String?>("first-token")
        let issued = FakeAWSCredentials(tag: "container")
        let fake = try AWSEndpointFakes.container(authorization: { expected.value }, issue: { issued })
        var environment = box.environment
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fake.url.absoluteString + "/v1/credentials"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-a-file-is-set"
        let provider = ContainerCredentialsProvider(environment: environment)
        expectSame(try await provider.credentials(logger: silent), issued, source: .container)
        try box.write("eks-pod-identity-token", "second-token")
        expected.value = "second-token"
        expectSame(try await provider.credentials(logger: silent), issued, source: .container)
        #expect(fake.requests.map { $0.header("Authorization") } == ["first-token", "second-token"])
        #expect(fake.requests.allSatisfy { $0.method == "GET" && $0.path == "/v1/credentials" })
    }

    @Test("container: Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN; relative URIs go to 169.254.170.2")
    func containerTokenVariable() async throws {
        let issued = FakeAWSCredentials(tag: "ecs")
        let fake = try AWSEndpointFakes.container(authorization: { "Basic ecs-token" }, issue: { issued })
        let provider = ContainerCredentialsProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url.absoluteString + "/creds",
                                                                  "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic ecs-token"])
        expectSame(try await provider.credentials(logger: silent), issued, source: .container)
        #expect(fake.requests.first?.header("Authorization") == "Basic ecs-token")
        // Only the URL is computed here: nothing is sent to the link-local address.
        let relative = try ContainerCredentialsProvider(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"]).endpoint()
        #expect(relative.absoluteString == "http://169.254.170.2/v2/credentials/abc")
    }

    @Test("container: a full URI host that is not loopback or an ECS/EKS host is refused with the reason, before any request",
          arguments: ["http://192.168.1.10/creds", "http://example.com/creds", "http://169.254.169.254/creds", "http://[fd00:ec2::254]/creds"])
    func containerHostRefused(uri: String) async throws {
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await ContainerCredentialsProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]).credentials(logger: silent)
        }
        #expect(error.kind == .hostNotAllowed)
        #expect(error.source == .container)
        #expect(error.message.contains("169.254.170.2"))
    }

    @Test("container: the allowed hosts", arguments: ["127.0.0.1", "127.1.2.3", "localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"])
    func containerHostAllowed(host: String) {
        #expect(ContainerCredentialsProvider.isAllowedHost(host))
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/access-assume-role-web.html (AssumeRoleWithWebIdentity is unsigned)
    @Test("web identity: unsigned AssumeRoleWithWebIdentity with the token file's contents, re-read on every call")
    func webIdentity() async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        let issued = FakeAWSCredentials(tag: "irsa")
        let sts = try AWSEndpointFakes.sts(signers: { [] }, issue: { issued })
        let tokenFile = try box.write("token", "jwt-one")
        var environment = box.environment
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa"
        environment["AWS_ROLE_SESSION_NAME"] = "pod-session"
        environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        let chain = AWSCredentialsProviderChain.standard(environment: environment, http: AWSHTTPClient())
        expectSame(try await chain.credentials(logger: silent), issued, source: .webIdentity(profile: nil))
        try box.write("token", "jwt-two")
        _ = try await chain.credentials(logger: silent)
        let forms = sts.requests.map(\.form)
        #expect(forms.map { $0["WebIdentityToken"] } == ["jwt-one", "jwt-two"])
        #expect(forms.allSatisfy { $0["Action"] == "AssumeRoleWithWebIdentity" && $0["RoleSessionName"] == "pod-session" })
        #expect(sts.requests.allSatisfy { $0.header("Authorization") == nil && $0.header("X-Amz-Security-Token") == nil })
    }

    @Test("web identity: a missing token file is a clear error naming the file")
    func webIdentityMissingFile() async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = box.path("no-such-token")
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa"
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await AWSCredentialsProviderChain.standard(environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(error.kind == .tokenFileUnreadable)
        #expect(error.source == .webIdentity(profile: nil))
        #expect(error.message.contains("no-such-token"))
    }

    @Test("profile web_identity_token_file + role_arn")
    func profileWebIdentity() async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        let issued = FakeAWSCredentials(tag: "oidc")
        let sts = try AWSEndpointFakes.sts(signers: { [] }, issue: { issued })
        let tokenFile = try box.write("gh-oidc", "github-jwt")
        try box.write("config", "[profile ci]\nrole_arn = arn:aws:iam::111122223333:role/ci\nweb_identity_token_file = \(tokenFile)\nregion = eu-west-1\n")
        var environment = box.environment
        environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        let credentials = try await ProfileCredentialsProvider(profile: "ci", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        expectSame(credentials, issued, source: .webIdentity(profile: "ci"))
        #expect(sts.requests.first?.form["WebIdentityToken"] == "github-jwt")
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
    @Test("assume role: AssumeRole is signed (sts) with the source profile's keys; chained source_profiles")
    func assumeRoleSignedAndChained() async throws {
        let base = FakeAWSCredentials(tag: "base", sessionToken: false)
        let first = FakeAWSCredentials(tag: "first")
        let issued = Box([first])
        let sts = try AWSEndpointFakes.sts(signers: { [base, first] }, issue: { issued.value.removeFirst() })
        let box = try CredentialsSandbox(
            config: """
            [profile hop1]
            role_arn = arn:aws:iam::111122223333:role/hop1
            source_profile = base
            [profile hop2]
            role_arn = arn:aws:iam::444455556666:role/hop2
            source_profile = hop1
            external_id = ext-123
            """,
            credentials: "[base]\naws_access_key_id = \(base.accessKeyId)\naws_secret_access_key = \(base.secret)\n")
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        let second = FakeAWSCredentials(tag: "second")
        issued.value = [first, second]
        let credentials = try await ProfileCredentialsProvider(profile: "hop2", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        expectSame(credentials, second, source: .assumeRole(profile: "hop2"))
        let requests = sts.requests
        #expect(requests.count == 2)
        #expect(requests.map { $0.form["RoleArn"] } == ["arn:aws:iam::111122223333:role/hop1", "arn:aws:iam::444455556666:role/hop2"])
        #expect(requests.map { try? SigV4Authorization(parsing: $0.header("Authorization") ?? "").accessKeyId } == [base.accessKeyId, first.accessKeyId])
        #expect(requests[1].header("X-Amz-Security-Token") == first.sessionToken)
        #expect(requests[1].form["ExternalId"] == "ext-123")
    }

    @Test("credential_source = EcsContainer / Ec2InstanceMetadata / Environment sign AssumeRole", arguments: ["EcsContainer", "Ec2InstanceMetadata", "Environment"])
    func credentialSource(kind: String) async throws {
        let sourceCredentials = FakeAWSCredentials(tag: "src")
        let issued = FakeAWSCredentials(tag: "role")
        let sts = try AWSEndpointFakes.sts(signers: { [sourceCredentials] }, issue: { issued })
        let container = try AWSEndpointFakes.container(authorization: { nil }, issue: { sourceCredentials })
        let imds = try AWSEndpointFakes.imds { sourceCredentials }
        let box = try CredentialsSandbox(config: "[profile r]\nrole_arn = arn:aws:iam::111122223333:role/r\ncredential_source = \(kind)\n")
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.url.absoluteString + "/creds"
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url.absoluteString
        environment["AWS_ACCESS_KEY_ID"] = sourceCredentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = sourceCredentials.secret
        environment["AWS_SESSION_TOKEN"] = sourceCredentials.sessionToken
        let credentials = try await ProfileCredentialsProvider(profile: "r", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        expectSame(credentials, issued, source: .assumeRole(profile: "r"))
        #expect(container.requests.count == (kind == "EcsContainer" ? 1 : 0))
        #expect(imds.requests.count == (kind == "Ec2InstanceMetadata" ? 3 : 0))
        #expect(sts.requests.first?.header("X-Amz-Security-Token") == sourceCredentials.sessionToken)
    }

    @Test("source_profile cycles are detected (typed), including longer ones")
    func cycles() async throws {
        let box = try CredentialsSandbox(config: """
            [profile a]
            role_arn = arn:aws:iam::111122223333:role/A
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::111122223333:role/B
            source_profile = c
            [profile c]
            role_arn = arn:aws:iam::111122223333:role/C
            source_profile = a
            """)
        defer { box.remove() }
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await ProfileCredentialsProvider(profile: "a", environment: box.environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(error.kind == .sourceProfileCycle)
        #expect(error.message.contains("a -> b -> c -> a"))
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html and
    // https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
    @Test("SSO (sso_session and legacy sso_start_url): cached token → GET /federation/credentials with x-amz-sso_bearer_token",
          arguments: [true, false])
    func sso(sessionForm: Bool) async throws {
        let issued = FakeAWSCredentials(tag: "sso")
        let portal = try AWSEndpointFakes.ssoPortal(accessToken: "sso-access-token", accountId: "111122223333", roleName: "Dev") { issued }
        let startURL = "https://my-sso-portal.awsapps.com/start"
        let config = sessionForm
            ? "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = \(startURL)\n"
            : "[profile dev]\nsso_start_url = \(startURL)\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
        let box = try CredentialsSandbox(config: config)
        defer { box.remove() }
        try box.writeSSOToken(key: sessionForm ? "corp" : startURL, token: "sso-access-token", expiresAt: Date().addingTimeInterval(3600))
        var environment = box.environment
        environment["AWS_ENDPOINT_URL_SSO"] = portal.url.absoluteString
        let credentials = try await ProfileCredentialsProvider(profile: "dev", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        expectSame(credentials, issued, source: .sso(profile: "dev"))
        #expect(credentials.expiration != nil)
        let request = try #require(portal.requests.first)
        #expect(request.method == "GET" && request.path == "/federation/credentials")
        #expect(request.query == ["account_id": "111122223333", "role_name": "Dev"])
        #expect(request.header("x-amz-sso_bearer_token") == "sso-access-token")
        #expect(request.header("Authorization") == nil)
    }

    @Test("SSO: an expired or missing token says to run `aws sso login --profile P`, without calling the portal")
    func ssoLoginRequired() async throws {
        let portal = try AWSEndpointFakes.ssoPortal(accessToken: "t", accountId: "111122223333", roleName: "Dev") { FakeAWSCredentials(tag: "sso") }
        let box = try CredentialsSandbox(config: "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://x.awsapps.com/start\n")
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_ENDPOINT_URL_SSO"] = portal.url.absoluteString
        let missing = try await #require(throws: AWSCredentialsError.self) {
            try await ProfileCredentialsProvider(profile: "dev", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(missing.kind == .ssoLoginRequired)
        try box.writeSSOToken(key: "corp", token: "t", expiresAt: Date().addingTimeInterval(-60))
        let expired = try await #require(throws: AWSCredentialsError.self) {
            try await ProfileCredentialsProvider(profile: "dev", environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(expired.kind == .ssoLoginRequired)
        #expect(expired.source == .sso(profile: "dev"))
        #expect(expired.message.contains("run `aws sso login --profile dev`"))
        #expect(portal.requests.isEmpty)
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
    @Test("credential_process: Version 1 JSON with Expiration; arguments are passed as words, never through a shell")
    func process() async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        let script = try box.write("bin/creds helper", """
            #!/bin/sh
            printf '%s' "$1" > "$(dirname "$0")/argument-seen"
            echo '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}'
            """, executable: true)
        let injected = box.path("PWNED")
        try box.write("config", "[profile p]\ncredential_process = \"\(script)\" 'x; touch \(injected)' \n")
        let credentials = try await ProfileCredentialsProvider(profile: "p", environment: box.environment, http: AWSHTTPClient()).credentials(logger: silent)
        #expect(credentials.accessKeyId == "ASIAPROCESS")
        #expect(credentials.sessionToken == "process-token")
        #expect(credentials.source == .process(profile: "p"))
        #expect(credentials.expiration == STSAssumeRoleCredentialsProvider.parseISO8601("2099-01-01T00:00:00Z"))
        #expect(try String(contentsOfFile: box.path("bin/argument-seen"), encoding: .utf8) == "x; touch \(injected)")
        #expect(!FileManager.default.fileExists(atPath: injected), "the argument was not run by a shell")
    }

    @Test("credential_process: exit 1, bad JSON and a wrong Version are clear one-line errors",
          arguments: [("echo 'token expired, run login' >&2; exit 1", "exited with status 1: token expired, run login"),
                      ("echo 'not json'", "did not print a JSON object"),
                      (#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}'"#, "only Version 1")])
    func processFailures(body: String, expected: String) async throws {
        let box = try CredentialsSandbox()
        defer { box.remove() }
        let script = try box.write("helper", "#!/bin/sh\n\(body)\n", executable: true)
        try box.write("config", "[profile p]\ncredential_process = \(script)\n")
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await ProfileCredentialsProvider(profile: "p", environment: box.environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(error.kind == .processFailed)
        #expect(error.source == .process(profile: "p"))
        #expect(error.message.contains(expected), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("command lines split into words like a shell would, without running one")
    func split() {
        #expect(ProcessCredentialsProvider.split(#"/bin/helper --profile "a b" 'c "d"' e\ f"#) == ["/bin/helper", "--profile", "a b", #"c "d""#, "e f"])
        #expect(ProcessCredentialsProvider.split("helper 'unclosed") == nil)
        #expect(ProcessCredentialsProvider.split("a; rm -rf /") == ["a;", "rm", "-rf", "/"])
    }
}
