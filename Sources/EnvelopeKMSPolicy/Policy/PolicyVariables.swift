import Foundation

/// Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`) in condition values and
/// resources, replaced by the request's values before comparison; `${*}`, `${?}` and `${$}`
/// stand for the literal characters.
/// IAM User Guide, reference_policies_variables.html.
enum PolicyVariables {
    /// `text` with every variable replaced, or `nil` when a variable the request lacks (or has
    /// several values for) appears: such a value matches nothing.
    static func substitute(_ text: String, in context: PolicyRequestContext) -> String? {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { out += rest[start.lowerBound...]; return out }
            let name = String(rest[start.upperBound..<end])
            switch name {
            case "*", "?", "$": out += name
            default:
                // `${key, 'default'}` gives a default when the key is missing.
                let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if let values = context.values(forKey: parts[0]), values.count == 1 {
                    out += values[0]
                } else if parts.count == 2, parts[1].hasPrefix("'"), parts[1].hasSuffix("'"), parts[1].count >= 2 {
                    out += parts[1].dropFirst().dropLast()
                } else {
                    return nil
                }
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}

/// The date forms of `Date…` conditions: ISO 8601 (with or without fractional seconds) or epoch seconds.
enum PolicyDates {
    static func parse(_ text: String) -> Date? {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }

    /// `2025-01-31T12:00:00Z` (a value-type format style: no formatter object per request).
    static func iso8601(_ date: Date) -> String { date.formatted(.iso8601) }
}

extension PolicyPattern {
    /// `ArnLike`/`ArnEquals`: both sides split into their six `:`-separated parts (the resource
    /// part keeps later colons), each part matched with `*`/`?` wildcards, case-sensitively.
    /// A value that is not six parts matches nothing.
    static func arnMatches(_ pattern: String, _ arn: String) -> Bool {
        let p = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let a = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard p.count == 6, a.count == 6 else { return false }
        return zip(p, a).allSatisfy { matches(String($0), String($1), caseInsensitive: false) }
    }
}
