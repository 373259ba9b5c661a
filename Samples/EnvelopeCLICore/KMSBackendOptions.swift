import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import Foundation

/// `--kms`, `--kms-state`, `--principal`, `--kms-endpoint`: which KMS a command talks to and as whom.
/// They come after the subcommand, on every subcommand that talks to KMS.
struct KMSBackendOptions: ParsableArguments {
    @Option(name: .customLong("kms"), help: ArgumentHelp("local (the embedded local KMS; the default) or aws (AWS KMS over HTTPS with the standard AWS environment and config files). Env: ENVELOPE_KMS.", valueName: "local|aws"))
    var kms: String?

    @Option(name: .customLong("kms-state"), help: ArgumentHelp("The local KMS state directory. Env: ENVELOPE_KMS_STATE; default ~/.envelope/local-kms.", valueName: "DIR"))
    var kmsState: String?

    @Option(name: .customLong("kms-endpoint"), help: ArgumentHelp("With --kms aws: the KMS endpoint URL (else AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, the profile's [services] or endpoint_url, or the Region's).", valueName: "URL"))
    var kmsEndpoint: String?
}

/// `--principal ARN` for commands where it names who is calling (encrypt, decrypt).
struct CallerOptions: ParsableArguments {
    @Option(name: .customLong("principal"), help: ArgumentHelp("With --kms local: who is calling (a user, role or account root ARN). Env: ENVELOPE_PRINCIPAL.", valueName: "ARN"))
    var principal: String?
}

/// `--principal ARN` on the administration subcommands, accepted so that scripts can pass the
/// same backend options to every subcommand; administration acts as the administrator of the
/// key's account, so the value is only checked to be an ARN.
struct AdminCallerOptions: ParsableArguments {
    @Option(name: .customLong("principal"), help: ArgumentHelp("Accepted like on every command that talks to KMS; administration acts as the administrator of the key's account. Env: ENVELOPE_PRINCIPAL.", valueName: "ARN"))
    var principal: String?

    func validateIfGiven() throws(CLIError) {
        if let principal { _ = try KMSBackend.parsePrincipal(principal, option: "--principal") }
    }
}

/// The KMS a command talks to.
enum KMSBackend: Sendable {
    /// The embedded local KMS, persisted in a state directory.
    case local(LocalKMS)
    /// AWS KMS over HTTPS.
    case aws(endpoint: String?)

    /// The backend the options and environment name. `--kms` wins over `ENVELOPE_KMS`; there is no
    /// fallback from one backend to the other.
    static func resolve(_ options: KMSBackendOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> KMSBackend {
        let name = (options.kms ?? environment["ENVELOPE_KMS"] ?? "local").lowercased()
        switch name {
        case "local":
            if options.kmsEndpoint != nil {
                throw .usage("--kms-endpoint is for --kms aws", hint: "to reach a served local KMS over HTTP, use --kms aws --kms-endpoint http://127.0.0.1:PORT")
            }
            return .local(try openLocal(stateDirectory: options.kmsState ?? environment["ENVELOPE_KMS_STATE"], environment: environment))
        case "aws":
            if options.kmsState != nil {
                throw .usage("--kms-state is for --kms local", hint: "drop --kms-state, or use --kms local")
            }
            return .aws(endpoint: options.kmsEndpoint)
        default:
            throw .usage("--kms \(name) is not known", hint: "use --kms local or --kms aws")
        }
    }

    /// Whether the options (or `ENVELOPE_KMS`) name the local KMS, without opening it.
    static func namesLocal(_ options: KMSBackendOptions, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        (options.kms ?? environment["ENVELOPE_KMS"] ?? "local").lowercased() == "local"
    }

    /// The backend and, for the local KMS, the calling principal (required there).
    static func resolveWithCaller(_ options: KMSBackendOptions, principal text: String?,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> (KMSBackend, AWSPrincipalARN?) {
        let backend = try resolve(options, environment: environment)
        switch backend {
        case .local: return (backend, try callerPrincipal(text, environment: environment))
        case .aws:
            if text != nil {
                throw .usage("--principal is for --kms local", hint: "with --kms aws the caller is whoever the AWS credentials belong to")
            }
            return (backend, nil)
        }
    }

    /// Whether this command may create a missing local KMS state (only `kms create-key` does;
    /// every other command refuses a missing state, so a mistyped `--kms-state` is not a new,
    /// empty KMS). Set before the backend is resolved.
    nonisolated(unsafe) static var mayCreateLocalState = false

    /// The local KMS state directory in use, once opened (named in local-KMS errors).
    nonisolated(unsafe) static var localStateDirectory: String?

    /// Opens the local KMS state directory (creating it only when ``mayCreateLocalState``).
    static func openLocal(stateDirectory: String?, environment: [String: String]) throws(CLIError) -> LocalKMS {
        let directory: String
        if let stateDirectory, !stateDirectory.isEmpty {
            directory = stateDirectory
        } else {
            guard let home = environment["HOME"], !home.isEmpty else {
                throw CLIError(.configuration, "no local KMS state directory: HOME is not set", hint: "pass --kms-state DIR or set ENVELOPE_KMS_STATE")
            }
            directory = home + "/.envelope/local-kms"
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if existing.isEmpty && !mayCreateLocalState {
            throw CLIError(.configuration, "no local KMS state at \(directory) (set --kms-state or ENVELOPE_KMS_STATE, or create a key first)",
                           hint: "`envelope kms create-key --account ID --kms-state \(directory)` creates it")
        }
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CLIError(.configuration, "cannot create \(parent) for the local KMS state: \(error.localizedDescription)",
                               hint: "pass --kms-state DIR (or ENVELOPE_KMS_STATE) with a directory you can write")
            }
        }
        localStateDirectory = directory
        do {
            return try LocalKMS(stateDirectory: directory)
        } catch {
            throw CLIError.from(error, doing: "opening the local KMS state \(directory)")
        }
    }

    /// The calling principal for the local KMS: `--principal`, else `ENVELOPE_PRINCIPAL`.
    static func callerPrincipal(_ text: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> AWSPrincipalARN {
        guard let text = text ?? environment["ENVELOPE_PRINCIPAL"], !text.isEmpty else {
            throw CLIError(.configuration, "the local KMS needs to know who is calling",
                           hint: "pass --principal ARN (e.g. arn:aws:iam::012345678901:user/Alice) or set ENVELOPE_PRINCIPAL")
        }
        return try parsePrincipal(text, option: "--principal")
    }

    static func parsePrincipal(_ text: String, option: String) throws(CLIError) -> AWSPrincipalARN {
        do { return try AWSPrincipalARN(parsing: text) } catch {
            throw .usage("\(option) \(text): \(error.description)", hint: "principals look like arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:root")
        }
    }

    /// A transport to `region` (for the local KMS, calling as `principal`).
    func transport(region: AWSRegion?, keyIdentifier: KMSKeyIdentifier?, profile: String?, principal: AWSPrincipalARN?) throws(CLIError) -> any KMSTransport {
        switch self {
        case .local(let kms):
            guard let principal else {
                throw CLIError(.configuration, "the local KMS needs to know who is calling", hint: "pass --principal ARN or set ENVELOPE_PRINCIPAL")
            }
            return kms.client(principal: principal, region: region ?? LocalKMS.defaultRegion)
        case .aws(let endpoint):
            do {
                return try KMSHTTPTransport.standard(region: region?.rawValue, keyIdentifier: keyIdentifier, profile: profile, customEndpoint: endpoint,
                                                     credentials: AWSCredentialsWiring.provider(profile: profile), logger: CLIVerbosity.logger)
            } catch {
                throw CLIError.from(error, doing: "configuring AWS KMS")
            }
        }
    }

    var name: String {
        switch self {
        case .local(let kms): "the local KMS (\(kms.stateDirectory ?? "in memory"))"
        case .aws: "AWS KMS"
        }
    }
}
