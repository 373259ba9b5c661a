import EnvelopeCore
import EnvelopeKMSPolicy

/// `--error-format text|json`: how failures are written to stderr.
///
/// With `json`, a failure is one JSON object on one line of stderr, so that scripts can branch on
/// `code` (the kind of failure) or `exit_status` without reading prose:
/// `{"code":"noDataKey","exit_status":77,"message":"…","hint":"…","data_key_failures":[{"provider":…,"key":…,"keyring":…,"reason":…}]}`.
/// The option may appear anywhere before `--` (it is taken out before the command line is parsed).
enum ErrorFormat: String, Sendable {
    case text, json

    nonisolated(unsafe) private(set) static var current: ErrorFormat = .text

    /// Takes `--error-format F` / `--error-format=F` out of `arguments` and remembers F.
    static func extract(from arguments: [String]) throws(CLIError) -> [String] {
        let (options, operands) = ArgumentPreprocessor.splitAtSeparator(arguments)
        var out: [String] = []
        var index = options.startIndex
        while index < options.endIndex {
            let word = options[index]
            index += 1
            let value: String
            if word == "--error-format" {
                guard index < options.endIndex else { throw .usage("--error-format needs a value: text or json") }
                value = options[index]
                index += 1
            } else if word.hasPrefix("--error-format=") {
                value = String(word.dropFirst("--error-format=".count))
            } else {
                out.append(word)
                continue
            }
            guard let format = ErrorFormat(rawValue: value) else {
                throw .usage("--error-format \(value) is not known", hint: "use --error-format text (the default) or --error-format json")
            }
            current = format
        }
        return out + operands
    }

    /// The JSON object of one failure (one line, no trailing newline).
    static func json(_ error: CLIError) -> String {
        var members: [(String, JSONValue)] = [
            ("code", .string(error.code ?? CLIExitCodeName.name(error.exitCode))),
            ("exit_status", .number(Double(error.exitCode.rawValue))),
            ("message", .string(error.message)),
            ("hint", error.hint.map(JSONValue.string) ?? .null),
        ]
        if let denial = error.denial { members.append(("why", .string(denial))) }
        members.append(("data_key_failures", .array(error.dataKeyFailures.map { failure in
            .object([("provider", .string(failure.providerID)), ("key", .string(failure.keyName)),
                     ("keyring", .string(failure.keyring)), ("reason", .string(CLIError.oneLine(failure.reason)))])
        })))
        return JSONValue.object(members).rendered(indent: nil)
    }
}

/// Names of the exit statuses, the `code` of failures that did not come through the failure table.
enum CLIExitCodeName {
    static func name(_ code: CLIExitCode) -> String {
        switch code {
        case .success: "success"
        case .failure: "failure"
        case .usage: "usage"
        case .dataError: "dataError"
        case .noInput: "noInput"
        case .unavailable: "unavailable"
        case .cannotCreate: "cannotCreate"
        case .ioError: "ioError"
        case .accessDenied: "accessDenied"
        case .configuration: "configuration"
        }
    }
}
