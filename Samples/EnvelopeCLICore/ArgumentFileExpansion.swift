import Foundation

/// `@FILE` arguments: the words of FILE replace the argument, as aws-encryption-cli reads them
/// (Python argparse `fromfile_prefix_chars="@"` with its line parser).
///
/// - Each line is split as ``split(line:file:)`` says (shell-like quoting, `#` comments); a
///   word never spans lines.
/// - In each word, a leading `~` becomes `$HOME` and `$VAR` / `${VAR}` the variable's value
///   (unset variables are left as written).
/// - A file's words may themselves name `@OTHER` files (up to ``maximumDepth`` levels).
/// - Words after `--` are left alone, and so is `@` on its own.
enum ArgumentFileExpansion {
    /// How deep `@FILE` inside `@FILE` may go (a file that names itself is refused, not looped on).
    static let maximumDepth = 8

    /// Returns `arguments` with every `@FILE` replaced by FILE's words.
    static func expand(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> [String] {
        try expand(arguments, environment: environment, depth: 0)
    }

    private static func expand(_ arguments: [String], environment: [String: String], depth: Int) throws(CLIError) -> [String] {
        let (options, operands) = ArgumentPreprocessor.splitAtSeparator(arguments)
        var out: [String] = []
        for word in options {
            guard word.count > 1, word.hasPrefix("@") else {
                out.append(word)
                continue
            }
            let path = String(word.dropFirst())
            guard depth < maximumDepth else {
                throw .usage("@\(path): argument files nest more than \(maximumDepth) deep", hint: "an argument file probably names itself")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError(.noInput, "the argument file \(path) cannot be read", hint: "@FILE reads options from FILE; check the path")
            }
            var words: [String] = []
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                words += try split(line: String(line), file: path).map { expandVariables($0, environment: environment) }
            }
            out += try expand(words, environment: environment, depth: depth + 1)
        }
        return out + operands
    }

    /// Splits one line into words as Python's `shlex` in POSIX mode with both quotes escapable
    /// (aws-encryption-cli's line parser): whitespace separates, quotes group, backslash escapes
    /// (inside quotes only the quote and the backslash), `#` outside quotes ends the line.
    static func split(line: String, file: String) throws(CLIError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false
        for character in line {
            if escaping {
                if let open = quote, character != open && character != "\\" { current.append("\\") }
                current.append(character)
                escaping = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" {
                    escaping = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\":
                escaping = true
                inWord = true
            case "'", "\"":
                quote = character
                inWord = true
            case "#":
                if inWord { words.append(current) }
                return words
            case _ where character.isWhitespace:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaping else {
            throw .usage("the argument file \(file) has an unterminated quote or a trailing backslash: \(line.prefix(60))",
                         hint: "close the quote on the same line")
        }
        if inWord { words.append(current) }
        return words
    }

    /// `~` at the start and `$VAR`, `${VAR}` anywhere, as Python's expanduser and expandvars.
    static func expandVariables(_ word: String, environment: [String: String]) -> String {
        var text = word
        if let home = environment["HOME"], text == "~" || text.hasPrefix("~/") {
            text = home + text.dropFirst()
        }
        guard text.contains("$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            var name: Substring
            var consumed: Substring.Index
            if after.first == "{", let close = after.firstIndex(of: "}") {
                name = after[after.index(after: after.startIndex)..<close]
                consumed = after.index(after: close)
            } else {
                let end = after.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") || !$0.isASCII } ?? after.endIndex
                name = after[..<end]
                consumed = end
            }
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), let value = environment[String(name)] {
                out += value
            } else {
                out += rest[dollar..<consumed]
            }
            rest = rest[consumed...]
        }
        return out + rest
    }
}
