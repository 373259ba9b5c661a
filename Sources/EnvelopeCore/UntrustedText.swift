/// Makes strings that come from a message header (encryption context keys, provider IDs, key
/// names) safe to put in an error message or a log line: whoever wrote the message chose them.
///
/// Control characters (C0, C1, DEL), Unicode format characters (bidirectional overrides and
/// isolates such as U+202E, zero-width characters) and line or paragraph separators are written as
/// `\u{XXXX}`; a backslash as `\\` and a double quote as `\"`, so the result can sit between quotes
/// unambiguously. Text longer than ``maxBytes`` UTF-8 bytes is cut there and marked with its full
/// length. Use this one helper wherever such a string is shown.
public enum UntrustedText {
    /// The most UTF-8 bytes of the original text that are shown (256).
    public static let maxBytes = 256

    /// The escaped, possibly truncated, form of `text`.
    public static func escaped(_ text: String) -> String {
        var out = ""
        var consumed = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            if consumed + size > maxBytes {
                return out + "…(\(text.utf8.count) bytes in all)"
            }
            consumed += size
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if needsEscape(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse: true
        default: false
        }
    }
}
