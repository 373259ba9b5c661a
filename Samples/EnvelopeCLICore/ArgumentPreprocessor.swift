/// Regroups the words of each `-w SPEC` before ArgumentParser sees the command line.
///
/// One `-w` takes all the words of its SPEC (`-w provider=raw-aes key-file=F namespace=NS name=N`),
/// and several keys are several `-w`. ArgumentParser would flatten the words of repeated options
/// into one list, so each group is joined here into a single argument with ``separator`` and split
/// again by ``WrappingKeySpec``.
enum ArgumentPreprocessor {
    /// Joins the words of one SPEC (ASCII unit separator: never typed, never in a path by accident).
    static let separator: Character = "\u{1F}"

    /// The option names that take a SPEC.
    static let specOptions: Set<String> = ["-w", "--wrapping-keys"]

    /// Returns `arguments` (without the program name) with each SPEC's words joined.
    static func regroup(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                out += arguments[index...]
                break
            }
            var option: String?
            var words: [String] = []
            if specOptions.contains(word) {
                option = word
            } else if word.hasPrefix("--wrapping-keys=") {
                option = "--wrapping-keys"
                words.append(String(word.dropFirst("--wrapping-keys=".count)))
            } else if word.hasPrefix("-w"), word.count > 2, !word.hasPrefix("--") {
                option = "-w"
                words.append(String(word.dropFirst(2)))
            }
            guard let option else {
                out.append(word)
                index += 1
                continue
            }
            index += 1
            while index < arguments.count, !looksLikeOption(arguments[index]) {
                words.append(arguments[index])
                index += 1
            }
            out.append(option)
            if !words.isEmpty { out.append(words.joined(separator: String(separator))) }
        }
        return out
    }

    /// `arguments` split at the first `--`: the words that may be options, and `--` with the
    /// words after it (empty when there is no `--`), which are never rewritten.
    static func splitAtSeparator(_ arguments: [String]) -> (options: ArraySlice<String>, operands: ArraySlice<String>) {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        return (arguments[..<end], arguments[end...])
    }

    /// A word that starts a new option (`-x`, `--name`), as opposed to a SPEC word (`name=value`)
    /// or `-` (stdin/stdout).
    static func looksLikeOption(_ word: String) -> Bool {
        word.count > 1 && word.hasPrefix("-")
    }
}
