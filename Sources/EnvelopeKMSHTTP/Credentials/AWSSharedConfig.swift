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
    /// Every other section of the config file by type, then name: `[sso-session corp]` is
    /// `sections["sso-session"]?["corp"]`, `[services dev]` is `sections["services"]?["dev"]`.
    /// Keys are lower-cased; nested sub-section keys are `parent.key` (e.g. `kms.endpoint_url`).
    public let sections: [String: [String: [String: String]]]
    /// The environment the config was read with.
    public let environment: [String: String]

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
        let config = Self.parseSections(Self.read(configPath), isConfigFile: true)
        configProfiles = config["profile"] ?? [:]
        sections = config.filter { $0.key != "profile" }
        credentialProfiles = Self.parse(Self.read(credentialsPath), isConfigFile: false)
    }

    /// The settings of `[type name]` in the config file (e.g. `section("sso-session", "corp")`).
    public func section(_ type: String, _ name: String) -> [String: String]? {
        sections[type]?[name]
    }

    /// The selected profile's value of `key` (config and credentials files merged), if non-empty.
    public func value(_ key: String, profile: String? = nil) -> String? {
        settings(of: profile ?? profileName)?[key.lowercased()].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The first non-empty environment variable of `names`.
    public func environmentValue(_ names: String...) -> String? {
        for name in names {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// The home directory (`HOME`, else the user's).
    public var homeDirectory: String { environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() }

    /// Merged settings of `name`: the config file's, overridden by the credentials file's.
    public func settings(of name: String) -> [String: String]? {
        let config = configProfiles[name]
        let credentials = credentialProfiles[name]
        if config == nil && credentials == nil { return nil }
        return (config ?? [:]).merging(credentials ?? [:]) { _, fromCredentials in fromCredentials }
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`.
    public var region: String? { AWSRegionResolver.configured(self)?.region }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Profiles of a shared file (`[x]` in the credentials file; `[default]` / `[profile x]` in the config file).
    static func parse(_ text: String, isConfigFile: Bool) -> [String: [String: String]] {
        parseSections(text, isConfigFile: isConfigFile)["profile"] ?? [:]
    }

    /// INI parsing as the AWS CLI does it: `[section]`, `key = value`, `#`/`;` comments, indented
    /// continuation lines (nested `key = value` of sub-sections, kept as `parent.key`). Sections by
    /// type then name: `profile` (`[default]`, `[profile x]`, every section of the credentials file),
    /// and in the config file `[type name]` for any other type (`sso-session`, `services`, …).
    static func parseSections(_ text: String, isConfigFile: Bool) -> [String: [String: [String: String]]] {
        var sections: [String: [String: [String: String]]] = [:]
        var current: (type: String, name: String)?
        var lastKey: String?
        for rawLine in text.components(separatedBy: .newlines) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let header = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                var section = (type: "profile", name: header)
                if isConfigFile && header != "default" {
                    guard let space = header.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                        current = nil  // a bare [name] in the config file is not a profile (AWS CLI)
                        continue
                    }
                    section = (String(header[..<space]), header[space...].trimmingCharacters(in: .whitespaces))
                }
                current = section
                lastKey = nil
                if sections[section.type]?[section.name] == nil { sections[section.type, default: [:]][section.name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: "\t#") ?? value.range(of: " ;") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            let indented = rawLine.first == " " || rawLine.first == "\t"
            if indented, let parent = lastKey {
                sections[section.type]?[section.name]?["\(parent).\(key)"] = value
            } else {
                sections[section.type]?[section.name]?[key] = value
                lastKey = key
            }
        }
        return sections
    }
}
