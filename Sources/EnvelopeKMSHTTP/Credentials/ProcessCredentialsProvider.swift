import Foundation
import Logging

/// A profile's `credential_process` (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html):
/// runs the command and reads `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`
/// from its standard output.
///
/// The command line is split into words here (single and double quotes, backslash escapes) and the
/// program is started directly, never through a shell, so nothing in it is expanded or chained.
public struct ProcessCredentialsProvider: AWSCredentialsProvider {
    /// The profile (for messages).
    public let profile: String
    /// The program and its arguments.
    public let arguments: [String]
    let environment: [String: String]

    /// Creates a provider for `commandLine`; throws `.invalidConfiguration` when it cannot be split.
    public init(profile: String, commandLine: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.profile = profile
        guard let words = Self.split(commandLine), !words.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "credential_process is empty or has an unclosed quote", source: .process(profile: profile))
        }
        arguments = words
        self.environment = environment
    }

    /// Splits a command line into words: whitespace separates, `'…'` is literal, `"…"` allows `\"` and `\\`,
    /// a backslash outside quotes escapes the next character. `nil` on an unclosed quote.
    public static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character); escaped = false; inWord = true
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
            case (nil, "'"), (nil, "\""):
                quote = character; inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(current); current = ""; inWord = false }
            default:
                current.append(character); inWord = true
            }
        }
        guard quote == nil, !escaped else { return nil }
        if inWord { words.append(current) }
        return words
    }

    /// The program's path: as given if it contains `/`, else the first match on `PATH`.
    func executable() throws -> URL {
        let program = arguments[0]
        if program.contains("/") { return URL(fileURLWithPath: program) }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return URL(fileURLWithPath: "\(directory)/\(program)")
        }
        throw AWSCredentialsError(.processFailed, "credential_process program '\(program)' is not on PATH", source: .process(profile: profile))
    }

    /// Runs the program and parses its output.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let source = AWSCredentialSource.process(profile: profile)
        let process = Process()
        process.executableURL = try executable()
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw AWSCredentialsError(.processFailed, "credential_process '\(arguments[0])' could not be started: \(error.localizedDescription)", source: source)
        }
        // Both pipes are drained concurrently, so a chatty helper cannot block on a full pipe.
        let outHandle = out.fileHandleForReading, errHandle = err.fileHandleForReading
        async let outputRead = Task.detached { outHandle.readDataToEndOfFile() }.value
        async let errorsRead = Task.detached { errHandle.readDataToEndOfFile() }.value
        let output = await outputRead
        let errors = String(decoding: await errorsRead, as: UTF8.self)
        process.waitUntilExit()  // the helper closed its output: it is exiting
        let status = process.terminationStatus
        guard status == 0 else {
            let firstLine = errors.split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) }
            throw AWSCredentialsError(
                .processFailed,
                "credential_process '\(arguments[0])' exited with status \(status)" + (firstLine.map { ": \($0)" } ?? ""),
                source: source)
        }
        return try Self.parse(Array(output), source: source, program: arguments[0])
    }

    /// Parses the `Version: 1` JSON.
    static func parse(_ output: [UInt8], source: AWSCredentialSource, program: String) throws -> AWSCredentials {
        guard let json = CredentialsParsing.jsonObject(output) else {
            throw AWSCredentialsError(.processFailed, "credential_process '\(program)' did not print a JSON object", source: source)
        }
        guard (json["Version"] as? NSNumber)?.intValue == 1 else {
            throw AWSCredentialsError(.processFailed, "credential_process '\(program)' printed Version \(json["Version"].map { "\($0)" } ?? "(none)"); only Version 1 is supported", source: source)
        }
        guard let id = json["AccessKeyId"] as? String, !id.isEmpty, let secret = json["SecretAccessKey"] as? String, !secret.isEmpty else {
            throw AWSCredentialsError(.processFailed, "credential_process '\(program)' printed no AccessKeyId or SecretAccessKey", source: source)
        }
        var expiration: Date?
        if let text = json["Expiration"] as? String {
            guard let date = STSAssumeRoleCredentialsProvider.parseISO8601(text) else {
                throw AWSCredentialsError(.processFailed, "credential_process '\(program)' printed an Expiration that is not ISO 8601: \(text.prefix(40))", source: source)
            }
            expiration = date
        }
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["SessionToken"] as? String,
                                  expiration: expiration).from(source)
    }
}
