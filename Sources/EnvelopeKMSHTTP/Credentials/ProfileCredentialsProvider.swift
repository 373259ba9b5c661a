import Foundation
import Logging

/// Credentials of a profile in the shared files, resolved as the AWS SDKs do
/// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html), in this order:
/// 1. `role_arn` with `source_profile` (chained, cycles detected) or `credential_source`
///    (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`): `sts:AssumeRole`;
/// 2. `role_arn` with `web_identity_token_file`: `sts:AssumeRoleWithWebIdentity`;
/// 3. IAM Identity Center (`sso_session`, or the legacy `sso_start_url`);
/// 4. `aws_access_key_id` / `aws_secret_access_key` [/ `aws_session_token`];
/// 5. `credential_process`.
public struct ProfileCredentialsProvider: AWSCredentialsProvider {
    let profile: String?
    let environment: [String: String]
    let http: AWSHTTPClient
    let endpoints: AWSCredentialEndpoints?

    /// Reads the profile `profile` (default: `AWS_PROFILE`, else `default`) when asked for credentials.
    /// `endpoints` (default: the environment's, else the partition's) says where STS and the SSO portal are.
    public init(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment, http: AWSHTTPClient,
                endpoints: AWSCredentialEndpoints? = nil) {
        self.profile = profile
        self.environment = environment
        self.http = http
        self.endpoints = endpoints
    }

    /// The profile's credentials; `.notConfigured` when the default profile does not exist.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let config = AWSSharedConfig(profile: profile, environment: environment)
        guard config.settings(of: config.profileName) != nil else {
            if config.profileIsExplicit {
                throw AWSCredentialsError(.invalidConfiguration, "profile '\(config.profileName)' is not in the shared config or credentials file; check AWS_PROFILE / profile=, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE",
                                          source: .sharedProfile(config.profileName))
            }
            throw AWSCredentialsError(.notConfigured, "no [default] profile in the shared credentials or config file", source: .sharedProfile(config.profileName))
        }
        return try await resolve(config.profileName, config: config, visited: [], logger: logger)
    }

    func resolve(_ name: String, config: AWSSharedConfig, visited: [String], logger: Logger) async throws -> AWSCredentials {
        guard !visited.contains(name) else {
            throw AWSCredentialsError(.sourceProfileCycle, "profiles form a source_profile cycle: \((visited + [name]).joined(separator: " -> ")); break the cycle",
                                      source: .assumeRole(profile: visited.first ?? name))
        }
        guard let settings = config.settings(of: name) else {
            throw AWSCredentialsError(.invalidConfiguration, "source_profile '\(name)' (from profile '\(visited.last ?? "")') does not exist",
                                      source: .assumeRole(profile: visited.last ?? name))
        }
        let endpoints = self.endpoints ?? .standard(config: config)
        let region = settings["region"].flatMap { $0.isEmpty ? nil : $0 } ?? config.region ?? "us-east-1"
        let roleArn = settings["role_arn"].flatMap { $0.isEmpty ? nil : $0 }
        if let roleArn, settings["source_profile"] != nil || settings["credential_source"] != nil {
            let source = try await roleSource(name, settings: settings, config: config, visited: visited, logger: logger)
            var assume = STSAssumeRoleCredentialsProvider(
                roleArn: roleArn,
                sessionName: settings["role_session_name"] ?? "envelopekit-\(Int(Date().timeIntervalSince1970))",
                externalId: settings["external_id"],
                durationSeconds: settings["duration_seconds"].flatMap(Int.init) ?? 3600,
                source: source,
                region: region,
                endpoint: try endpoints.resolve(.sts, region).absoluteString,
                http: http)
            assume.reportedSource = .assumeRole(profile: name)
            logger.debug("assuming role from profile", metadata: ["profile": "\(name)", "roleArn": "\(roleArn)"])
            return try await assume.credentials(logger: logger)
        }
        if let roleArn, let tokenFile = settings["web_identity_token_file"], !tokenFile.isEmpty {
            return try await WebIdentityCredentialsProvider(
                tokenFile: tokenFile, roleArn: roleArn, sessionName: settings["role_session_name"], region: region,
                endpoints: endpoints, source: .webIdentity(profile: name), http: http).credentials(logger: logger)
        }
        if roleArn != nil {
            throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has role_arn but no source_profile, credential_source or web_identity_token_file",
                                      source: .assumeRole(profile: name))
        }
        if let sso = try SSOCredentialsProvider(profile: name, config: config, endpoints: endpoints, http: http) {
            return try await sso.credentials(logger: logger)
        }
        if let keys = try staticKeys(settings, profile: name) {
            logger.trace("credentials from shared files", metadata: ["profile": "\(name)", "accessKeyId": "\(keys.accessKeyId)"])
            return keys
        }
        if let command = settings["credential_process"], !command.isEmpty {
            return try await ProcessCredentialsProvider(profile: name, commandLine: command, environment: environment).credentials(logger: logger)
        }
        throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has no credentials: neither access keys, role_arn, sso_session / sso_start_url nor credential_process",
                                  source: .sharedProfile(name))
    }

    /// The credentials that sign a profile's AssumeRole call.
    func roleSource(_ name: String, settings: [String: String], config: AWSSharedConfig, visited: [String], logger: Logger) async throws -> any AWSCredentialsProvider {
        if let sourceProfile = settings["source_profile"] {
            if settings["credential_source"] != nil {
                throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has both source_profile and credential_source; keep one", source: .assumeRole(profile: name))
            }
            // A profile that names itself and has keys uses its keys (the end of a role chain).
            if sourceProfile == name, let keys = try staticKeys(settings, profile: name) {
                return StaticCredentialsProvider(keys)
            }
            return StaticCredentialsProvider(try await resolve(sourceProfile, config: config, visited: visited + [name], logger: logger))
        }
        switch settings["credential_source"]?.lowercased() {
        case "environment":
            return EnvironmentCredentialsProvider(environment: environment)
        case "ec2instancemetadata":
            return InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: config, http: http))
        case "ecscontainer":
            return ContainerCredentialsProvider(environment: environment, http: http)
        default:
            throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has credential_source = \(settings["credential_source"] ?? ""); use Environment, Ec2InstanceMetadata or EcsContainer",
                                      source: .assumeRole(profile: name))
        }
    }

    func staticKeys(_ settings: [String: String], profile: String) throws -> AWSCredentials? {
        guard let id = settings["aws_access_key_id"], !id.isEmpty else { return nil }
        guard let secret = settings["aws_secret_access_key"], !secret.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "profile '\(profile)' has aws_access_key_id but no aws_secret_access_key", source: .sharedProfile(profile))
        }
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"]).from(.sharedProfile(profile))
    }
}
