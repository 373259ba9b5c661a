import Foundation
import Logging

/// Credentials of a profile in the shared files: static keys, or a role assumed through STS
/// (`role_arn` with `source_profile` or `credential_source = Environment`).
public struct ProfileCredentialsProvider: AWSCredentialsProvider {
    let profile: String?
    let environment: [String: String]
    let http: AWSHTTPClient

    /// Reads the profile `profile` (default: `AWS_PROFILE`, else `default`) when asked for credentials.
    public init(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment, http: AWSHTTPClient) {
        self.profile = profile
        self.environment = environment
        self.http = http
    }

    /// The profile's credentials; `.notConfigured` when the default profile does not exist.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let config = AWSSharedConfig(profile: profile, environment: environment)
        guard config.settings(of: config.profileName) != nil else {
            if config.profileIsExplicit {
                throw AWSCredentialsError(.invalidConfiguration, "profile '\(config.profileName)' is not in the shared config or credentials file; check AWS_PROFILE / profile=, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
            }
            throw AWSCredentialsError(.notConfigured, "no [default] profile in the shared credentials or config file")
        }
        return try await resolve(config.profileName, config: config, visited: [], logger: logger)
    }

    func resolve(_ name: String, config: AWSSharedConfig, visited: [String], logger: Logger) async throws -> AWSCredentials {
        guard !visited.contains(name) else {
            throw AWSCredentialsError(.invalidConfiguration, "profiles form a source_profile cycle: \((visited + [name]).joined(separator: " -> "))")
        }
        guard let settings = config.settings(of: name) else {
            throw AWSCredentialsError(.invalidConfiguration, "source_profile '\(name)' (from profile '\(visited.last ?? "")') does not exist")
        }
        if let roleArn = settings["role_arn"], !roleArn.isEmpty {
            // A source profile that has its own keys and a role uses its keys (AWS CLI behaviour for the chain's end).
            let source: any AWSCredentialsProvider
            if let sourceProfile = settings["source_profile"] {
                let sourceCredentials: AWSCredentials
                if sourceProfile == name, let keys = try staticKeys(settings, profile: name) {
                    sourceCredentials = keys
                } else {
                    sourceCredentials = try await resolve(sourceProfile, config: config, visited: visited + [name], logger: logger)
                }
                source = StaticCredentialsProvider(sourceCredentials)
            } else if settings["credential_source"]?.lowercased() == "environment" {
                source = EnvironmentCredentialsProvider(environment: environment)
            } else {
                throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has role_arn but neither source_profile nor credential_source = Environment")
            }
            let region = settings["region"] ?? config.region ?? "us-east-1"
            let assume = STSAssumeRoleCredentialsProvider(
                roleArn: roleArn,
                sessionName: settings["role_session_name"] ?? "envelopekit-\(Int(Date().timeIntervalSince1970))",
                externalId: settings["external_id"],
                durationSeconds: settings["duration_seconds"].flatMap(Int.init) ?? 3600,
                source: source,
                region: region,
                endpoint: config.endpointURL(service: "sts"),
                http: http)
            logger.debug("assuming role from profile", metadata: ["profile": "\(name)", "roleArn": "\(roleArn)"])
            return try await assume.credentials(logger: logger)
        }
        if let keys = try staticKeys(settings, profile: name) {
            logger.trace("credentials from shared files", metadata: ["profile": "\(name)", "accessKeyId": "\(keys.accessKeyId)"])
            return keys
        }
        throw AWSCredentialsError(.invalidConfiguration, "profile '\(name)' has neither aws_access_key_id/aws_secret_access_key nor role_arn")
    }

    func staticKeys(_ settings: [String: String], profile: String) throws -> AWSCredentials? {
        guard let id = settings["aws_access_key_id"], !id.isEmpty else { return nil }
        guard let secret = settings["aws_secret_access_key"], !secret.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "profile '\(profile)' has aws_access_key_id but no aws_secret_access_key")
        }
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"])
    }
}
