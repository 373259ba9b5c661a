import ArgumentParser
import EnvelopeCore

/// `-i`, `-o`, `-r`, `--suffix`, `--metadata-output`, `--jobs`, `--force`, `--quiet`, `--interactive`,
/// `--no-overwrite`, `--verbose`.
struct InputOutputOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .customLong("input")], help: ArgumentHelp("Input: a file, a directory (with -r), or - for stdin.", valueName: "IN|-"))
    var input: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Output: a file, a directory, or - for stdout (never a terminal).", valueName: "OUT|-"))
    var output: String

    @Flag(name: [.customShort("r"), .customLong("recursive")], help: "Process every regular file under the input directory into the output directory (created if missing), keeping relative paths.")
    var recursive = false

    @Option(name: .long, help: ArgumentHelp("Appended to output names when the output is a directory (default .encrypted, or .decrypted for decrypt).", valueName: "SUFFIX"))
    var suffix: String?

    @Option(name: .customLong("metadata-output"), help: ArgumentHelp("Append one JSON object per message (input, output, suite, frame length, encryption context, key ARNs of the encrypted data keys, the key that decrypted) to PATH, or write them to stdout with -.", valueName: "PATH|-"))
    var metadataOutput: String?

    @Option(name: .long, help: ArgumentHelp("Cores that seal (or open) the frames of each message at once (1-64, default: the number of cores). Files of a -r run are processed one after another, each with N cores; the output is the same whatever N.", valueName: "N"))
    var jobs: Int?

    @Flag(name: .long, help: "Replace existing outputs (atomically, once each is complete).")
    var force = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No progress bar.")
    var quiet = false

    @Flag(name: .long, help: "Ask on the terminal before replacing each existing output (as aws-encryption-cli); without a terminal on stdin, existing outputs are refused.")
    var interactive = false

    @Flag(name: .customLong("no-overwrite"), help: "Never replace an existing output: the run is refused (the default; accepted for aws-encryption-cli scripts).")
    var noOverwrite = false

    @Flag(name: .customLong("create-dirs"), help: "Create the missing directories of a -o FILE (with -r, output directories are always created).")
    var createDirectories = false

    @Flag(name: .customLong("skip-existing"), help: "Leave messages whose output already exists alone (e.g. to finish a run that failed part-way) instead of refusing the run.")
    var skipExisting = false

    @Flag(name: .customLong("fail-on-empty"), help: "With -r: exit 66 when the input directory holds no file to process.")
    var failOnEmpty = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Details on stderr: retries, the full cause of an error.")
    var verbose = false

    /// `--jobs`, or the number of cores of this machine (at most 64).
    var concurrency: Int { jobs ?? Swift.min(64, EnvelopeClient.availableCores) }

    /// Whether outputs may replace existing files (`--force`, or `--interactive` after a yes).
    var overwrite: Bool { force || interactive }

    func validateCommon() throws(CLIError) {
        if let jobs, !(1...64).contains(jobs) {
            throw .usage("--jobs must be between 1 and 64, not \(jobs)", hint: "--jobs 2 seals the frames of each message on two cores; omit it to use every core")
        }
        if let suffix, suffix.contains("/") {
            throw .usage("--suffix must contain no /", hint: "e.g. --suffix .enc")
        }
        if suffix == "", JobPlanner.sameFile(input, output) {
            throw .usage("--suffix '' would write each output over its input", hint: "give -o another directory, or a non-empty --suffix")
        }
        try OverwritePrompt.validate(force: force, interactive: interactive, noOverwrite: noOverwrite)
        CLIVerbosity.enable(verbose)
    }

    /// The messages to process: outputs in a directory get `suffix` (or `--suffix`); decrypt
    /// passes `strip`, the encrypt suffix that is removed from names ending with it.
    func plan(defaultSuffix: String, strip: String? = nil) throws(CLIError) -> Plan {
        var request = PlanRequest(input: input, output: output, recursive: recursive, suffix: suffix ?? defaultSuffix)
        request.stripSuffix = strip
        request.strippedSuffix = suffix ?? ""
        request.force = force || interactive
        request.createDirectories = createDirectories
        request.skipExisting = skipExisting
        var plan = try JobPlanner.plan(request)
        if interactive { plan.jobs = try OverwritePrompt.confirm(plan.jobs) }
        if plan.isDirectoryRun, plan.jobs.isEmpty, failOnEmpty {
            let skipped = plan.skippedSummary
            throw CLIError(.noInput, "no file to process under \(input)" + (skipped.isEmpty ? "" : "; \(skipped)"),
                           hint: "check -i; without --fail-on-empty an empty tree is not an error")
        }
        return plan
    }
}

/// `--commitment-policy`, `--max-encrypted-data-keys`, `--encrypt-only`.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("commitment-policy"), help: ArgumentHelp("forbid-encrypt-allow-decrypt, require-encrypt-allow-decrypt or require-encrypt-require-decrypt (default).", valueName: "POLICY"))
    var commitmentPolicy: String?

    @Option(name: .customLong("max-encrypted-data-keys"), help: ArgumentHelp("Refuse messages with more encrypted data keys than N (N >= 1; default \(ClientOptions.defaultMaxEncryptedDataKeys)).", valueName: "N"))
    var maxEncryptedDataKeys: Int?

    @Flag(name: .customLong("encrypt-only"), help: "Use the encrypt-only client, which mirrors a key policy that allows encrypting but never decrypting (decrypt refuses it at once).")
    var encryptOnly = false

    /// The client, sealing or opening each message's frames on `concurrency` cores.
    func makeClient(concurrency: Int) throws(CLIError) -> EnvelopeClient {
        EnvelopeClient(commitmentPolicy: try policy(), maxEncryptedDataKeys: try maxKeys(), concurrency: concurrency)
    }

    func policy() throws(CLIError) -> CommitmentPolicy {
        guard let text = commitmentPolicy else { return .requireEncryptRequireDecrypt }
        guard let policy = CommitmentPolicy(rawValue: text.lowercased().replacingOccurrences(of: "_", with: "-")) else {
            throw .usage("--commitment-policy \(text) is not known",
                         hint: "use " + CommitmentPolicy.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return policy
    }

    /// The default of `--max-encrypted-data-keys`: a hostile message cannot make one decrypt try
    /// thousands of keys (each a KMS call). The official SDKs write one key per wrapping key.
    static let defaultMaxEncryptedDataKeys = 10

    func maxKeys() throws(CLIError) -> Int? {
        guard let n = maxEncryptedDataKeys else { return Self.defaultMaxEncryptedDataKeys }
        guard n >= 1 else { throw .usage("--max-encrypted-data-keys must be at least 1, not \(n)") }
        return n
    }
}

/// Parses `-c` words: `k=v` pairs (and, where allowed, bare keys).
enum ContextArguments {
    static func parse(_ words: [String], allowBareKeys: Bool) throws(CLIError) -> (pairs: [String: String], keys: [String]) {
        var pairs: [String: String] = [:]
        var keys: [String] = []
        for word in words {
            guard let eq = word.firstIndex(of: "=") else {
                guard allowBareKeys, !word.isEmpty else {
                    throw .usage("-c \(word): encryption context entries are key=value", hint: "e.g. -c purpose=backup -c team=blue")
                }
                keys.append(word)
                continue
            }
            let key = String(word[..<eq])
            let value = String(word[word.index(after: eq)...])
            guard !key.isEmpty else { throw .usage("-c \(word): the key is empty", hint: "e.g. -c purpose=backup") }
            if let old = pairs[key], old != value {
                throw .usage("-c gives \(key) twice with different values (\"\(old)\" and \"\(value)\")")
            }
            pairs[key] = value
        }
        return (pairs, keys)
    }
}
