import EnvelopeKMS
import EnvelopeKMSPolicy

/// What the KMS console does to a key policy when an owner shares the key with another account or
/// stops sharing it, as pure edits of the policy text (member order kept, so the diff shows only
/// the change). `add-external-account` and `remove-external-account` apply them with
/// GetKeyPolicy → edit → PutKeyPolicy on any backend.
enum KeyPolicyEdit {
    /// Adds the account's root to the `Principal.AWS` of the story's two statements
    /// (`AllowUseOfTheKey`, `AllowAttachmentOfPersistentResources`), adding a statement that is missing.
    static func addingExternalAccount(_ account: AWSAccountID, partition: AWSPartition, to text: String) throws(CLIError) -> String {
        var document = try parse(text)
        let root = account.rootPrincipal(partition: partition).description
        let sids = [KMSPolicyTemplates.allowUseSid, KMSPolicyTemplates.allowAttachmentSid]
        var statements = document.statementList
        var found = Set<String>()
        for index in statements.indices {
            guard let sid = statements[index].member("Sid")?.stringValue, sids.contains(sid),
                  statements[index].member("Effect")?.stringValue == "Allow",
                  case .object(var principal)? = statements[index].member("Principal"),
                  let awsIndex = principal.firstIndex(where: { $0.0 == "AWS" }) else { continue }
            found.insert(sid)
            var entries = principal[awsIndex].1.stringList
            if !entries.contains(root) {
                entries.append(root)
                principal[awsIndex].1 = .array(entries.map(JSONValue.string))
                statements[index].setMember("Principal", .object(principal))
            }
        }
        let templates = KMSPolicyTemplates.keyPolicyStatements(principals: [account.rootPrincipal(partition: partition)])
        statements += templates.filter { !found.contains($0.sid ?? "") }.map(\.json)
        document.setMember("Statement", .array(statements))
        return document.rendered(indent: 2)
    }

    /// Removes the account — its ID, its root and every user or role of it — from the
    /// `Principal.AWS` of every Allow statement, dropping statements left without a principal.
    /// Deny statements are kept as they are. Grants are not part of the policy: they survive.
    static func removingExternalAccount(_ account: AWSAccountID, from text: String) throws(CLIError) -> String {
        var document = try parse(text)
        func belongs(_ entry: String) -> Bool { entry == account.rawValue || AWSPrincipalARN(entry)?.account == account }
        var kept: [JSONValue] = []
        for var statement in document.statementList {
            if statement.member("Effect")?.stringValue == "Allow", case .object(var principal)? = statement.member("Principal"),
               let awsIndex = principal.firstIndex(where: { $0.0 == "AWS" }) {
                let entries = principal[awsIndex].1.stringList
                let remaining = entries.filter { !belongs($0) }
                if remaining.count != entries.count {
                    if remaining.isEmpty {
                        principal.remove(at: awsIndex)
                        if principal.isEmpty { continue }
                    } else {
                        principal[awsIndex].1 = remaining.count == 1 ? .string(remaining[0]) : .array(remaining.map(JSONValue.string))
                    }
                    statement.setMember("Principal", .object(principal))
                }
            }
            kept.append(statement)
        }
        document.setMember("Statement", .array(kept))
        return document.rendered(indent: 2)
    }

    /// The policy re-rendered the way the edits render it (so a diff compares like with like).
    static func normalized(_ text: String) throws(CLIError) -> String { try parse(text).rendered(indent: 2) }

    static func parse(_ text: String) throws(CLIError) -> JSONValue {
        do {
            let value = try JSONValue(parsing: text)
            guard case .object = value else { throw CLIError(.dataError, "the key policy is not a JSON object") }
            return value
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.dataError, "the key policy is not valid JSON: \(error)", hint: "fix it with `envelope kms put-key-policy`")
        }
    }
}

/// A line diff of two texts (longest common subsequence), for showing a policy change.
enum LineDiff {
    /// `-`/`+` lines for removed/added lines, with `context` unchanged lines around each change
    /// (runs elided as `  …`). Empty when the texts are equal.
    static func render(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a != b else { return "" }
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var lines: [(mark: Character, text: String)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append((" ", a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append(("-", a[i])); i += 1
            } else {
                lines.append(("+", b[j])); j += 1
            }
        }
        let changed = lines.indices.filter { lines[$0].mark != " " }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var elided = false
        for index in lines.indices {
            let near = changed.contains { abs($0 - index) <= context }
            if near {
                out += "\(lines[index].mark) \(lines[index].text)\n"
                elided = false
            } else if !elided {
                out += "  …\n"
                elided = true
            }
        }
        return out
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }

    mutating func setMember(_ name: String, _ value: JSONValue) {
        guard case .object(var members) = self else { return }
        if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = value } else { members.append((name, value)) }
        self = .object(members)
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A string or an array of strings, as a list (policy elements take either form).
    var stringList: [String] {
        switch self {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap(\.stringValue)
        default: return []
        }
    }

    /// The policy's `Statement`, as a list (a single statement object counts as one).
    var statementList: [JSONValue] {
        switch member("Statement") {
        case .array(let items)?: return items
        case let single?: return [single]
        case nil: return []
        }
    }
}
