import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// The default chain's order and its failure report
/// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html#credentialProviderChain).
@Suite("Credential chain: precedence, refresh, nothing found")
struct CredentialChainTests {
    /// A sandbox with a `[default]` profile of static keys, a container fake and an IMDS fake all configured.
    struct Everything {
        let box: CredentialsSandbox
        let profileKey = FakeAWSCredentials(tag: "profile", sessionToken: false)
        let environmentKey = FakeAWSCredentials(tag: "env")
        let containerKey = FakeAWSCredentials(tag: "container")
        let imdsKey = FakeAWSCredentials(tag: "imds")
        let container: LoopbackHTTPServer
        let imds: LoopbackHTTPServer
        var environment: [String: String]

        init() throws {
            box = try CredentialsSandbox(credentials: """
                [default]
                aws_access_key_id = \(profileKey.accessKeyId)
                aws_secret_access_key = \(profileKey.secret)
                [other]
                aws_access_key_id = ASIAOTHERPROFILE
                aws_secret_access_key = other-secret
                """)
            let containerKey = self.containerKey, imdsKey = self.imdsKey
            container = try AWSEndpointFakes.container(authorization: { nil }, issue: { containerKey })
            imds = try AWSEndpointFakes.imds { imdsKey }
            environment = box.environment
            environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.url.absoluteString + "/creds"
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url.absoluteString
        }

        mutating func setEnvironmentKeys() {
            environment["AWS_ACCESS_KEY_ID"] = environmentKey.accessKeyId
            environment["AWS_SECRET_ACCESS_KEY"] = environmentKey.secret
            environment["AWS_SESSION_TOKEN"] = environmentKey.sessionToken
        }

        func resolve(profile: String? = nil) async throws -> AWSCredentials {
            try await AWSCredentialsProviderChain.standard(profile: profile, environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
    }

    @Test("environment keys beat the default profile, the container and IMDS")
    func environmentFirst() async throws {
        var all = try Everything()
        defer { all.box.remove() }
        all.setEnvironmentKeys()
        expectSame(try await all.resolve(), all.environmentKey, source: .environment)
        #expect(all.container.requests.isEmpty && all.imds.requests.isEmpty)
    }

    @Test("an explicit profile (profile= or AWS_PROFILE) beats the environment keys, and is the only source tried")
    func explicitProfile() async throws {
        var all = try Everything()
        defer { all.box.remove() }
        all.setEnvironmentKeys()
        #expect(try await all.resolve(profile: "other").accessKeyId == "ASIAOTHERPROFILE")
        all.environment["AWS_PROFILE"] = "other"
        #expect(try await all.resolve().source == .sharedProfile("other"))
        all.environment["AWS_PROFILE"] = "missing"
        let error = try await #require(throws: AWSCredentialsError.self) { try await all.resolve() }
        #expect(error.kind == .invalidConfiguration, "a missing explicit profile does not fall through to the container or IMDS")
        #expect(all.container.requests.isEmpty && all.imds.requests.isEmpty)
    }

    @Test("a profile beats container and IMDS credentials")
    func profileBeforeContainer() async throws {
        let all = try Everything()
        defer { all.box.remove() }
        expectSame(try await all.resolve(), all.profileKey, source: .sharedProfile("default"))
        #expect(all.container.requests.isEmpty && all.imds.requests.isEmpty)
    }

    @Test("web identity from the environment beats a profile")
    func webIdentityBeforeProfile() async throws {
        var all = try Everything()
        defer { all.box.remove() }
        let issued = FakeAWSCredentials(tag: "irsa")
        let sts = try AWSEndpointFakes.sts(signers: { [] }, issue: { issued })
        all.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = try all.box.write("token", "jwt")
        all.environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa"
        all.environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        expectSame(try await all.resolve(), issued, source: .webIdentity(profile: nil))
        #expect(sts.requests.count == 1)
    }

    @Test("container beats IMDS; IMDS is last")
    func containerThenIMDS() async throws {
        var all = try Everything()
        defer { all.box.remove() }
        try all.box.write("credentials", "")
        expectSame(try await all.resolve(), all.containerKey, source: .container)
        all.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
        expectSame(try await all.resolve(), all.imdsKey, source: .instanceMetadata)
    }

    @Test("nothing found: one typed error listing each source and why it was skipped, one line, no IMDS retries")
    func nothingFound() async throws {
        let box = try CredentialsSandbox()  // IMDS on a closed port: refused at once
        defer { box.remove() }
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await AWSCredentialsProviderChain.standard(environment: box.environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(error.kind == .noSourceFound)
        #expect(error.skipped.map(\.source) == [.environment, .webIdentity(profile: nil), .sharedProfile("default"), .container, .instanceMetadata])
        #expect(error.skipped.map(\.kind) == [.notConfigured, .notConfigured, .notConfigured, .notConfigured, .endpointUnreachable])
        #expect(error.skipped.last?.message.contains("1 attempt(s)") == true)
        #expect(!error.description.contains("\n"))
        #expect(error.message.contains("AWS_ACCESS_KEY_ID"))
    }

    @Test("a container host that is not allowed stops the chain (it is configured, but wrongly)")
    func containerMisconfiguredStops() async throws {
        var environment = try CredentialsSandbox().environment
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.0.0.1/creds"
        let error = try await #require(throws: AWSCredentialsError.self) {
            try await AWSCredentialsProviderChain.standard(environment: environment, http: AWSHTTPClient()).credentials(logger: silent)
        }
        #expect(error.kind == .hostNotAllowed)
    }

    /// Credentials that live `lifetime` seconds on the injected clock; counts fetches.
    actor Issuer: AWSCredentialsProvider {
        var fetches = 0
        let clock: Box<Date>
        init(clock: Box<Date>) { self.clock = clock }
        func credentials(logger: Logger) async throws -> AWSCredentials {
            fetches += 1
            await Task.yield()  // let other callers pile up behind the refresh in flight
            return try AWSCredentials(accessKeyId: "ASIA\(fetches)", secretAccessKey: "s", sessionToken: "t",
                                      expiration: clock.value.addingTimeInterval(900)).from(.instanceMetadata)
        }
    }

    @Test("credentials that expire mid-run are refreshed once, before expiry, by one shared refresh (concurrent callers)")
    func refreshOnceConcurrently() async throws {
        let clock = Box(Date(timeIntervalSince1970: 1_800_000_000))
        let issuer = Issuer(clock: clock)
        let provider = RefreshingCredentialsProvider(issuer, refreshMargin: 300, clock: { clock.value })
        func burst() async throws -> Set<String> {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await provider.credentials(logger: silent).accessKeyId } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
        }
        #expect(try await burst() == ["ASIA1"])
        clock.value = clock.value.addingTimeInterval(500)  // 400 s left: still fresh
        #expect(try await burst() == ["ASIA1"])
        #expect(await issuer.fetches == 1)
        clock.value = clock.value.addingTimeInterval(200)  // 200 s left: inside the 300 s margin
        #expect(try await burst() == ["ASIA2"])
        #expect(await issuer.fetches == 2)
        #expect(await provider.currentSource == .instanceMetadata)
    }

    @Test("IMDS credentials are refreshed through the transport's cache before Expiration")
    func imdsRefresh() async throws {
        let clock = Box(Date())
        let first = FakeAWSCredentials(tag: "imdsone", expiration: clock.value.addingTimeInterval(600))
        let second = FakeAWSCredentials(tag: "imdstwo", expiration: clock.value.addingTimeInterval(7200))
        let current = Box(first)
        let imds = try AWSEndpointFakes.imds { current.value }
        let config = AWSSharedConfig(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url.absoluteString, "HOME": "/nonexistent",
                                                   "AWS_METADATA_SERVICE_TIMEOUT": CredentialsSandbox.metadataTimeout])
        let provider = RefreshingCredentialsProvider(InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: config)),
                                                     refreshMargin: 300, clock: { clock.value })
        #expect(try await provider.credentials(logger: silent).accessKeyId == first.accessKeyId)
        current.value = second
        #expect(try await provider.credentials(logger: silent).accessKeyId == first.accessKeyId)
        clock.value = clock.value.addingTimeInterval(400)  // 200 s before the first Expiration
        #expect(try await provider.credentials(logger: silent).accessKeyId == second.accessKeyId)
        #expect(imds.requests.filter { $0.method == "PUT" }.count == 2)
    }

    @Test("Region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile, then IMDS")
    func region() async throws {
        let imds = try AWSEndpointFakes.imds(issue: { FakeAWSCredentials(tag: "x") }, region: "ap-south-2")
        let box = try CredentialsSandbox(config: "[default]\nregion = eu-north-1\n")
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url.absoluteString
        environment["AWS_REGION"] = "us-west-2"
        environment["AWS_DEFAULT_REGION"] = "us-west-1"
        func resolve() async -> String? { await AWSRegionResolver.resolve(AWSSharedConfig(environment: environment), logger: silent)?.region }
        #expect(await resolve() == "us-west-2")
        environment["AWS_REGION"] = nil
        #expect(await resolve() == "us-west-1")
        environment["AWS_DEFAULT_REGION"] = nil
        #expect(await resolve() == "eu-north-1")
        #expect(imds.requests.isEmpty)
        try box.write("config", "")
        #expect(await AWSRegionResolver.resolve(AWSSharedConfig(environment: environment), logger: silent)?.source == .instanceMetadata)
        #expect(await resolve() == "ap-south-2")
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        #expect(await resolve() == nil)
    }

    @Test("the key ARN's Region wins over every configured Region")
    func keyARNRegionWins() throws {
        let key = try KMSKeyIdentifier(parsing: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        let transport = try KMSHTTPTransport.standard(keyIdentifier: key, environment: ["AWS_REGION": "us-east-1", "HOME": "/nonexistent",
                                                                                     "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(transport.region.rawValue == "eu-central-1")
    }

    @Test("the config parser keeps sso-session, services and nested sub-sections for other readers")
    func genericSections() throws {
        let box = try CredentialsSandbox(config: """
            [profile dev]
            services = dev-services
            [services dev-services]
            kms =
              endpoint_url = http://127.0.0.1:4566
            [sso-session corp]
            sso_region = eu-west-1
            """)
        defer { box.remove() }
        let config = AWSSharedConfig(profile: "dev", environment: box.environment)
        #expect(config.section("services", "dev-services")?["kms.endpoint_url"] == "http://127.0.0.1:4566")
        #expect(config.section("sso-session", "corp")?["sso_region"] == "eu-west-1")
        #expect(config.value("services") == "dev-services")
        #expect(config.configProfiles["corp"] == nil)
    }
}
