import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import Foundation
import Testing

/// Configured endpoints, per the AWS SDKs and Tools reference guide:
/// - "Service-specific endpoints": https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
///   (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, `endpoint_url` in a profile and in a
///   `[services NAME]` section, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`;
///   precedence as in the AWS CLI's configured-endpoint-URL tests: service variable, global
///   variable, `[services]` section, profile `endpoint_url`; an explicit endpoint always wins);
/// - "Identifiers for service-specific endpoints": https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html
///   (KMS → `kms` / `AWS_ENDPOINT_URL_KMS`, STS → `sts`, SSO → `sso`);
/// - "Dual-stack and FIPS endpoints": https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html
///   (`AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`, `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`).
@Suite("Endpoint configuration: sources, precedence, ignore switch, dual-stack and FIPS")
struct EndpointConfigTests {
    static let config = """
        [default]
        region = us-west-2

        [profile global]
        region = us-west-2
        endpoint_url = http://127.0.0.1:1001

        [profile sectioned]
        region = us-west-2
        endpoint_url = http://127.0.0.1:1001
        services = local

        [profile ignoring]
        region = us-west-2
        endpoint_url = http://127.0.0.1:1001
        services = local
        ignore_configured_endpoint_urls = true

        [profile stacked]
        region = eu-west-1
        use_dualstack_endpoint = true
        use_fips_endpoint = true

        [services local]
        kms =
          endpoint_url = http://127.0.0.1:2002
        sts =
          endpoint_url = http://127.0.0.1:2003
        """

    static let serviceEnv = ["AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:3001"]
    static let globalEnv = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4001"]

    func url(_ service: AWSServiceID = .kms, profile: String?, env: [String: String] = [:], explicit: String? = nil) throws -> String {
        let box = try ConfigBox(Self.config)
        let config = box.config(env, profile: profile)
        return try AWSEndpointResolver(config: config).endpoint(for: service, region: config.region, explicitURL: explicit).url.absoluteString
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let profile: String?
        let env: [String: String]
        let explicit: String?
        let expected: String
        var testDescription: String { name }
    }

    static let precedence: [Case] = [
        Case(name: "nothing configured: the Region's endpoint", profile: nil, env: [:], explicit: nil, expected: "https://kms.us-west-2.amazonaws.com"),
        Case(name: "profile endpoint_url", profile: "global", env: [:], explicit: nil, expected: "http://127.0.0.1:1001"),
        Case(name: "[services] section beats profile endpoint_url", profile: "sectioned", env: [:], explicit: nil, expected: "http://127.0.0.1:2002"),
        Case(name: "AWS_ENDPOINT_URL beats the [services] section", profile: "sectioned", env: globalEnv, explicit: nil, expected: "http://127.0.0.1:4001"),
        Case(name: "AWS_ENDPOINT_URL beats profile endpoint_url", profile: "global", env: globalEnv, explicit: nil, expected: "http://127.0.0.1:4001"),
        Case(name: "AWS_ENDPOINT_URL_KMS beats the [services] section", profile: "sectioned", env: serviceEnv, explicit: nil, expected: "http://127.0.0.1:3001"),
        Case(name: "AWS_ENDPOINT_URL_KMS beats AWS_ENDPOINT_URL", profile: "sectioned", env: serviceEnv.merging(globalEnv) { $1 }, explicit: nil, expected: "http://127.0.0.1:3001"),
        Case(name: "an explicit endpoint beats everything", profile: "sectioned", env: serviceEnv.merging(globalEnv) { $1 }, explicit: "http://127.0.0.1:5001", expected: "http://127.0.0.1:5001"),
        Case(name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores variables, section and profile", profile: "sectioned",
             env: serviceEnv.merging(globalEnv) { $1 }.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }, explicit: nil,
             expected: "https://kms.us-west-2.amazonaws.com"),
        Case(name: "ignore_configured_endpoint_urls in the profile ignores them too", profile: "ignoring",
             env: serviceEnv.merging(globalEnv) { $1 }, explicit: nil, expected: "https://kms.us-west-2.amazonaws.com"),
        Case(name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false beats the profile's true", profile: "ignoring",
             env: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"], explicit: nil, expected: "http://127.0.0.1:2002"),
        Case(name: "the ignore switch never ignores an explicit endpoint", profile: "ignoring", env: [:], explicit: "http://127.0.0.1:5001",
             expected: "http://127.0.0.1:5001"),
    ]

    @Test("each source and its precedence", arguments: precedence)
    func sources(_ testCase: Case) throws {
        #expect(try url(profile: testCase.profile, env: testCase.env, explicit: testCase.explicit) == testCase.expected)
    }

    @Test("the same settings serve STS and the SSO portal, each by its own service ID")
    func otherServices() throws {
        #expect(AWSServiceID.kms.environmentVariable == "AWS_ENDPOINT_URL_KMS" && AWSServiceID.kms.configKey == "kms")
        #expect(AWSServiceID.sts.environmentVariable == "AWS_ENDPOINT_URL_STS" && AWSServiceID.sts.configKey == "sts")
        #expect(AWSServiceID.sso.environmentVariable == "AWS_ENDPOINT_URL_SSO" && AWSServiceID.sso.configKey == "sso")
        #expect(try url(.sts, profile: nil) == "https://sts.us-west-2.amazonaws.com")
        #expect(try url(.sso, profile: nil) == "https://portal.sso.us-west-2.amazonaws.com")
        #expect(try url(.sts, profile: "sectioned") == "http://127.0.0.1:2003")
        #expect(try url(.sso, profile: "sectioned") == "http://127.0.0.1:1001", "no sso sub-section: the profile's endpoint_url")
        #expect(try url(.sts, profile: "sectioned", env: Self.serviceEnv) == "http://127.0.0.1:2003", "AWS_ENDPOINT_URL_KMS is KMS's only")
        #expect(try url(.sso, profile: nil, env: ["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:6001"]) == "http://127.0.0.1:6001")
    }

    @Test("dual-stack and FIPS from the profile, from the environment, and the environment's false beating the profile's true")
    func dualStackAndFIPS() throws {
        #expect(try url(profile: "stacked") == "https://kms-fips.eu-west-1.api.aws")
        #expect(try url(profile: nil, env: ["AWS_USE_DUALSTACK_ENDPOINT": "true"]) == "https://kms.us-west-2.api.aws")
        #expect(try url(profile: nil, env: ["AWS_USE_FIPS_ENDPOINT": "true"]) == "https://kms-fips.us-west-2.amazonaws.com")
        #expect(try url(profile: "stacked", env: ["AWS_USE_FIPS_ENDPOINT": "false"]) == "https://kms.eu-west-1.api.aws")
        #expect(try url(profile: nil, env: ["AWS_REGION": "cn-north-1", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
                == "https://kms.cn-north-1.api.amazonwebservices.com.cn")
    }

    @Test("FIPS with a configured endpoint is the rule set's configuration error, naming where the URL came from")
    func fipsWithCustomEndpoint() throws {
        let error = try #require(throws: KMSEndpointError.self) {
            try url(profile: "sectioned", env: ["AWS_USE_FIPS_ENDPOINT": "true"])
        }
        #expect(error.message.hasPrefix("Invalid Configuration: FIPS and custom endpoint are not supported"))
        #expect(error.message.contains("[services local]"))
    }

    @Test("a switch that is neither true nor false is a configuration error naming the setting")
    func badSwitch() throws {
        let error = try #require(throws: AWSConfigurationError.self) {
            try url(profile: nil, env: ["AWS_USE_DUALSTACK_ENDPOINT": "yes"])
        }
        #expect(error.setting == "AWS_USE_DUALSTACK_ENDPOINT")
    }

    @Test("every kms-endpoint-tests case through the resolver (explicit endpoint, FIPS, dual-stack as parameters)", arguments: EndpointTests.cases)
    func ruleSetCases(_ testCase: EndpointCase) {
        let resolver = AWSEndpointResolver(settings: AWSEndpointSettings())
        do {
            let endpoint = try resolver.endpoint(for: .kms, region: testCase.region, explicitURL: testCase.endpoint,
                                                 useFIPS: testCase.useFIPS, useDualStack: testCase.useDualStack)
            #expect(testCase.expectedError == nil, "expected error \(testCase.expectedError ?? "")")
            #expect(endpoint.url.absoluteString == testCase.expectedURL)
        } catch {
            #expect(testCase.expectedURL == nil, "unexpected error \(error)")
            if let expected = testCase.expectedError { #expect(error.message.hasPrefix(expected)) }
        }
    }

    @Test("identifier partitions cover every partition of the endpoint table", arguments: [
        ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"), ("eu-isoe-west-1", "aws-iso-e"), ("us-isof-south-1", "aws-iso-f"), ("eusc-de-east-1", "aws-eusc"),
    ])
    func partitions(_ pair: (String, String)) throws {
        let region = try AWSRegion(validating: pair.0)
        #expect(region.partition.rawValue == pair.1)
        #expect(AWSEndpointPartition.of(region: pair.0).name == pair.1)
        let arn = try KMSKeyARN(parsing: "arn:\(pair.1):kms:\(pair.0):111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        #expect(arn.region == region)
    }

    @Test("the identifier partitions and the endpoint partitions are the same set")
    func samePartitions() {
        #expect(Set(AWSPartition.allCases.map(\.rawValue)) == Set(AWSEndpointPartition.all.map(\.name)))
    }
}
