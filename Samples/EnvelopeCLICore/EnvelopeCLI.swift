import ArgumentParser
import Foundation

/// The root command: `envelope`.
struct EnvelopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Envelope encryption with AWS KMS keys (your own or another account's) and raw keys; AWS Encryption SDK message format.",
        discussion: """
            \(HelpText.specs)

            \(HelpText.exitCodes)
            """,
        version: VersionReport.text,
        subcommands: [EncryptCommand.self, DecryptCommand.self, KMSCommand.self, PolicyCommand.self, AWSCommand.self,
                      KeygenCommand.self, VerifyAccessCommand.self, BranchKeyCommand.self])
}

/// Runs `envelope` with a command line and returns the exit status.
public enum EnvelopeCLI {
    /// The version `envelope --version` prints.
    public static let version = "0.1.0"

    /// Parses and runs `rawArguments` (without the program name), after `@FILE` expansion and with
    /// `--error-format` taken out. Errors go to stderr as one line `envelope: error: …` and one line
    /// `hint: …` (or one JSON line with `--error-format json`); help goes to stdout.
    public static func run(_ rawArguments: [String]) async -> Int32 {
        let arguments: [String]
        do throws(CLIError) {
            arguments = try ErrorFormat.extract(from: ArgumentFileExpansion.expand(rawArguments))
        } catch {
            report(error)
            return error.exitCode.rawValue
        }
        if arguments.isEmpty {
            // No subcommand: the usage, as an error (a script that forgot the subcommand must not succeed).
            StandardStreams.printStderr(EnvelopeCommand.helpMessage() + "\n")
            report(CLIError(.usage, "a subcommand is needed", hint: "e.g. `envelope encrypt --help`"))
            return CLIExitCode.usage.rawValue
        }
        let regrouped = ArgumentPreprocessor.regroup(arguments)
        let command: any ParsableCommand
        do {
            command = try EnvelopeCommand.parseAsRoot(regrouped)
        } catch {
            let code = EnvelopeCommand.exitCode(for: error)
            if code == .success {
                StandardStreams.printStdout(EnvelopeCommand.fullMessage(for: error) + "\n")
                return 0
            }
            let message = CLIError.oneLine(EnvelopeCommand.message(for: error)).replacingOccurrences(of: String(ArgumentPreprocessor.separator), with: " ")
            let hint = strayInput(arguments).map { "did you mean -i \($0)? (inputs are given with -i, outputs with -o)" }
            report(CLIError(.usage, message, hint: hint ?? "see `envelope \(subcommandPath(arguments)) --help`".replacingOccurrences(of: "  ", with: " ")))
            return CLIExitCode.usage.rawValue
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            return 0
        } catch var error as CLIError {
            if error.hint == nil && error.exitCode == .usage {
                error.hint = "see `envelope \(subcommandPath(arguments)) --help`".replacingOccurrences(of: "  ", with: " ")
            }
            error = await AWSCredentialsWiring.namingSource(error)
            report(error)
            return error.exitCode.rawValue
        } catch {
            let code = EnvelopeCommand.exitCode(for: error)
            if code == .success {
                let text = EnvelopeCommand.fullMessage(for: error)
                if !text.isEmpty { StandardStreams.printStdout(text + "\n") }
                return 0
            }
            if error is ExitCode { return code.rawValue }
            let converted = await AWSCredentialsWiring.namingSource(CLIError.from(error, doing: "envelope"))
            report(converted)
            return converted.exitCode.rawValue
        }
    }

    static func report(_ error: CLIError) {
        if ErrorFormat.current == .json {
            StandardStreams.printStderr(ErrorFormat.json(error) + "\n")
            return
        }
        var message = error.message
        if let directory = KMSBackend.localStateDirectory, error.kind?.concernsKMS == true, !message.contains(directory) {
            message += " (local KMS state \(directory))"
        }
        var text = "envelope: error: \(message)\n"
        for item in error.items { text += "  - \(item)\n" }
        if CLIVerbosity.enabled, let details = error.details { text += "details: \(CLIError.oneLine(details))\n" }
        if let denial = error.denial { text += "why: \(denial)\n" }
        if let hint = error.hint { text += "hint: \(hint)\n" }
        StandardStreams.printStderr(text)
    }

    /// A word right after `encrypt` or `decrypt` that is not an option: a file named without -i
    /// (`envelope encrypt report.pdf`).
    static func strayInput(_ arguments: [String]) -> String? {
        guard arguments.count >= 2, ["encrypt", "decrypt"].contains(arguments[0]) else { return nil }
        let word = arguments[1]
        return ArgumentPreprocessor.looksLikeOption(word) || word == "-" ? nil : word
    }

    /// The subcommand words at the start of the command line (for the hint).
    static func subcommandPath(_ arguments: [String]) -> String {
        let known: Set<String> = ["encrypt", "decrypt", "kms", "policy", "create-key", "add-external-account", "remove-external-account",
                                  "put-key-policy", "get-key-policy", "attach-user-policy", "create-access-key", "serve", "render", "aws", "whoami", "init",
                                  "keygen", "raw-aes", "raw-rsa", "raw-ecdh", "verify-access"]
        return arguments.prefix { known.contains($0) }.joined(separator: " ")
    }
}
