import Foundation

/// An AWS service as the endpoint settings name it: its `serviceId` (`KMS`), the key of its
/// sub-section in a `[services NAME]` section (`kms`), its `AWS_ENDPOINT_URL_<SERVICE>` suffix
/// (`KMS`), its SigV4 signing name and the first labels of its regional host name.
///
/// Identifiers from the AWS SDKs and Tools reference guide, "Identifiers for service-specific
/// endpoints": https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html
public struct AWSServiceID: Sendable, Hashable, CustomStringConvertible {
    /// The service's `serviceId`, e.g. `KMS`, `STS`, `SSO`.
    public let serviceId: String
    /// The SigV4 signing name (`kms`, `sts`, `awsssoportal`).
    public let signingName: String
    /// The host name's leading labels before the Region: `kms` gives `kms.us-east-1.amazonaws.com`.
    public let hostPrefix: String

    /// Creates an identifier.
    public init(serviceId: String, signingName: String, hostPrefix: String) {
        self.serviceId = serviceId
        self.signingName = signingName
        self.hostPrefix = hostPrefix
    }

    /// AWS Key Management Service.
    public static let kms = AWSServiceID(serviceId: "KMS", signingName: "kms", hostPrefix: "kms")
    /// Amazon DynamoDB (the branch key store's table).
    public static let dynamoDB = AWSServiceID(serviceId: "DynamoDB", signingName: "dynamodb", hostPrefix: "dynamodb")
    /// AWS Security Token Service.
    public static let sts = AWSServiceID(serviceId: "STS", signingName: "sts", hostPrefix: "sts")
    /// The IAM Identity Center (SSO) portal (`GetRoleCredentials`).
    public static let sso = AWSServiceID(serviceId: "SSO", signingName: "awsssoportal", hostPrefix: "portal.sso")

    /// `AWS_ENDPOINT_URL_` + the serviceId upper-cased, spaces as underscores.
    public var environmentVariable: String {
        "AWS_ENDPOINT_URL_" + serviceId.uppercased().replacingOccurrences(of: " ", with: "_")
    }

    /// The key in a `[services NAME]` section: the serviceId lower-cased, spaces as underscores.
    public var configKey: String { serviceId.lowercased().replacingOccurrences(of: " ", with: "_") }

    /// The serviceId.
    public var description: String { serviceId }
}

/// A configuration value that is not valid: the setting (environment variable or config key), the
/// value, and what is expected.
public struct AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `AWS_MAX_ATTEMPTS`, `max_attempts in profile dev`, …
    public let setting: String
    /// The value found.
    public let value: String
    /// What would be valid.
    public let expected: String

    /// Creates an error.
    public init(setting: String, value: String, expected: String) {
        self.setting = setting
        self.value = value
        self.expected = expected
    }

    /// `AWS_MAX_ATTEMPTS = "zero" is not valid: expected …`.
    public var description: String { "\(setting) = \"\(value)\" is not valid: expected \(expected)" }
}

extension AWSSharedConfig {
    /// A setting from the environment variable if set (non-empty), else from the selected
    /// profile's key; with where it came from (`AWS_MAX_ATTEMPTS`, `max_attempts in profile dev`).
    public func setting(environment variable: String, profileKey: String) -> (source: String, value: String)? {
        if let value = environment[variable], !value.isEmpty { return (variable, value) }
        if let value = settings(of: profileName)?[profileKey], !value.isEmpty {
            return ("\(profileKey) in profile \(profileName)", value)
        }
        return nil
    }

    /// A boolean setting (`true`/`false`, any case); nil when unset.
    func flag(environment variable: String, profileKey: String) throws(AWSConfigurationError) -> Bool? {
        guard let (source, value) = setting(environment: variable, profileKey: profileKey) else { return nil }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw AWSConfigurationError(setting: source, value: value, expected: "true or false")
        }
    }

    /// The `[services NAME]` section the selected profile names with `services = NAME`.
    var servicesSection: [String: String]? {
        guard let name = settings(of: profileName)?["services"], !name.isEmpty else { return nil }
        return section("services", name)
    }
}

/// The endpoint settings of the AWS SDKs for one profile and environment: configured endpoint
/// URLs, the ignore switch, dual-stack and FIPS.
///
/// AWS SDKs and Tools reference guide, "Service-specific endpoints"
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html) and "Dual-stack and
/// FIPS endpoints" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html).
public struct AWSEndpointSettings: Sendable, Equatable {
    /// Where a configured endpoint URL came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// Given in code or on the command line (`--kms-endpoint`); wins over everything.
        case explicit
        /// `AWS_ENDPOINT_URL_<SERVICE>`.
        case serviceEnvironment(String)
        /// `AWS_ENDPOINT_URL`.
        case globalEnvironment
        /// `endpoint_url` of the service's sub-section in the profile's `[services NAME]` section.
        case servicesSection(String)
        /// `endpoint_url` of the profile.
        case profile(String)

        /// E.g. `AWS_ENDPOINT_URL_KMS`, `[services local] kms.endpoint_url`.
        public var description: String {
            switch self {
            case .explicit: "the explicit endpoint"
            case .serviceEnvironment(let name): name
            case .globalEnvironment: "AWS_ENDPOINT_URL"
            case .servicesSection(let name): "endpoint_url in [services \(name)]"
            case .profile(let name): "endpoint_url in profile \(name)"
            }
        }
    }

    /// Endpoint URLs configured per service (`AWSServiceID.configKey` → URL, source), after the ignore switch.
    let configured: [String: (url: String, source: Source)]
    /// `AWS_ENDPOINT_URL` or the profile's `endpoint_url`.
    let global: (url: String, source: Source)?
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`.
    public let ignoreConfiguredEndpointURLs: Bool
    /// `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`.
    public let useDualStack: Bool
    /// `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`.
    public let useFIPS: Bool

    /// Reads the settings of `config` (its environment and selected profile).
    ///
    /// Precedence of endpoint URLs, per service (AWS CLI's configured-endpoint-URL tests):
    /// `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the `[services]` section's
    /// `<service>.endpoint_url`, then the profile's `endpoint_url`. All of these are skipped when
    /// the ignore switch is on; an explicit endpoint is never ignored.
    public init(_ config: AWSSharedConfig, services: [AWSServiceID] = [.kms, .sts, .sso, .dynamoDB]) throws(AWSConfigurationError) {
        ignoreConfiguredEndpointURLs = try config.flag(environment: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", profileKey: "ignore_configured_endpoint_urls") ?? false
        useDualStack = try config.flag(environment: "AWS_USE_DUALSTACK_ENDPOINT", profileKey: "use_dualstack_endpoint") ?? false
        useFIPS = try config.flag(environment: "AWS_USE_FIPS_ENDPOINT", profileKey: "use_fips_endpoint") ?? false
        var configured: [String: (url: String, source: Source)] = [:]
        var global: (url: String, source: Source)?
        if !ignoreConfiguredEndpointURLs {
            func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
            let servicesName = config.settings(of: config.profileName)?["services"] ?? ""
            let section = config.servicesSection
            if let url = nonEmpty(config.environment["AWS_ENDPOINT_URL"]) {
                global = (url, .globalEnvironment)
            } else if let url = nonEmpty(config.settings(of: config.profileName)?["endpoint_url"]) {
                global = (url, .profile(config.profileName))
            }
            for service in services {
                if let url = nonEmpty(config.environment[service.environmentVariable]) {
                    configured[service.configKey] = (url, .serviceEnvironment(service.environmentVariable))
                } else if let global, global.source == .globalEnvironment {
                    configured[service.configKey] = global
                } else if let url = nonEmpty(section?["\(service.configKey).endpoint_url"]) {
                    configured[service.configKey] = (url, .servicesSection(servicesName))
                } else if let global {
                    configured[service.configKey] = global
                }
            }
        }
        self.configured = configured
        self.global = global
    }

    /// Settings with nothing configured (tests, explicit set-ups).
    public init(useDualStack: Bool = false, useFIPS: Bool = false) {
        configured = [:]
        global = nil
        ignoreConfiguredEndpointURLs = false
        self.useDualStack = useDualStack
        self.useFIPS = useFIPS
    }

    /// The configured endpoint URL of `service` and where it came from; nil if none (or ignored).
    public func configuredURL(for service: AWSServiceID) -> (url: String, source: Source)? {
        configured[service.configKey] ?? global
    }

    public static func == (lhs: AWSEndpointSettings, rhs: AWSEndpointSettings) -> Bool {
        lhs.ignoreConfiguredEndpointURLs == rhs.ignoreConfiguredEndpointURLs && lhs.useDualStack == rhs.useDualStack
            && lhs.useFIPS == rhs.useFIPS && lhs.configured.mapValues(\.url) == rhs.configured.mapValues(\.url)
            && lhs.global?.url == rhs.global?.url
    }
}
