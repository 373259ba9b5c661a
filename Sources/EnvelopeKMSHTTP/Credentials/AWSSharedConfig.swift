import Foundation

/// The shared AWS files (`~/.aws/config`, `~/.aws/credentials`) and the environment variables that steer them.
///
/// Honours `AWS_PROFILE`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
/// `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `AWS_USE_FIPS_ENDPOINT`.
public struct AWSSharedConfig: Sendable {
    /// The selected profile name (explicit, else `AWS_PROFILE`, else `default`).
    public let profileName: String
    /// Whether the profile was chosen explicitly (argument or `AWS_PROFILE`).
    public let profileIsExplicit: Bool
    /// Settings of each profile in the config file (`[profile x]` / `[default]`).
    public let configProfiles: [String: [String: String]]
    /// Settings of each profile in the credentials file (`[x]`).
    public let credentialProfiles: [String: [String: String]]
    /// The environment the config was read with.
    public let environment: [String: String]
    /// Every other section of the config file by type, then name: `[services dev]` is
    /// `sections["services"]?["dev"]`; nested sub-section keys are `parent.key` (`kms.endpoint_url`).
    public let sections: [String: [String: [String: String]]]

    /// Reads both files (missing files are empty).
    public init(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        let envProfile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        profileName = profile ?? envProfile ?? "default"
        profileIsExplicit = profile != nil || envProfile != nil
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        let configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        let credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        let configText = Self.read(configPath)
        configProfiles = Self.parse(configText, isConfigFile: true)
        var sections: [String: [String: [String: String]]] = [:]
        for (header, settings) in Self.parse(configText, isConfigFile: false) {
            let words = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if words.count == 2, words[0] != "profile" { sections[words[0], default: [:]][words[1]] = settings }
        }
        self.sections = sections
        credentialProfiles = Self.parse(Self.read(credentialsPath), isConfigFile: false)
    }

    /// The settings of `[type name]` in the config file (e.g. `section("services", "dev")`).
    public func section(_ type: String, _ name: String) -> [String: String]? {
        sections[type]?[name]
    }

    /// Merged settings of `name`: the config file's, overridden by the credentials file's.
    public func settings(of name: String) -> [String: String]? {
        let config = configProfiles[name]
        let credentials = credentialProfiles[name]
        if config == nil && credentials == nil { return nil }
        return (config ?? [:]).merging(credentials ?? [:]) { _, fromCredentials in fromCredentials }
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`.
    public var region: String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return settings(of: profileName)?["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Custom endpoint of a service: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`.
    public func endpointURL(service: String) -> String? {
        for name in ["AWS_ENDPOINT_URL_\(service.uppercased())", "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// `AWS_USE_FIPS_ENDPOINT=true`, or `use_fips_endpoint = true` in the profile.
    public var useFIPS: Bool {
        let value = environment["AWS_USE_FIPS_ENDPOINT"] ?? settings(of: profileName)?["use_fips_endpoint"]
        return value?.lowercased() == "true"
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// INI parsing as the AWS CLI does it: `[section]`, `key = value`, `#`/`;` comments, indented
    /// continuation lines (nested `key = value` of sub-sections, kept as `parent.key`).
    static func parse(_ text: String, isConfigFile: Bool) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for rawLine in text.components(separatedBy: .newlines) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                var name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                if isConfigFile {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // [sso-session x], [services x]: not profiles
                        continue
                    }
                }
                current = name
                lastKey = nil
                if profiles[name] == nil { profiles[name] = [:] }
                continue
            }
            guard let profile = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: "\t#") ?? value.range(of: " ;") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            let indented = rawLine.first == " " || rawLine.first == "\t"
            if indented, let parent = lastKey {
                profiles[profile]?["\(parent).\(key)"] = value
            } else {
                profiles[profile]?[key] = value
                lastKey = key
            }
        }
        return profiles
    }
}
