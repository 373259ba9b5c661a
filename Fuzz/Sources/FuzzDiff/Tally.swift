import Foundation
import EnvelopeCore
import EnvelopeCrypto

/// Counts verdicts per operator and per rejection class, and keeps a few mutants of each class.
struct Tally {
    let outDirectory: String
    private(set) var disagreements = 0
    /// Disagreements no ``Explanation`` fits: findings.
    private(set) var unexplained = 0
    private var perExplanation: [String: Int] = [:]
    private var agreements = 0
    /// operator → (both accept, both reject, disagree)
    private var perOperator: [String: (accept: Int, reject: Int, disagree: Int)] = [:]
    /// "verdict | our error code | Python exception" → count
    private var perClass: [String: Int] = [:]
    /// class key → mutants kept
    private var kept: [String: Int] = [:]
    private var manifest: [String] = []

    init(outDirectory: String) {
        self.outDirectory = outDirectory
        for folder in ["corpus", "disagreements"] {
            let path = outDirectory + "/" + folder
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }

    mutating func record(mutant: [UInt8], op: String, base: String, ours: Result<[UInt8], EnvelopeError>, theirs: ESDKWorker.Answer,
                         explain: () -> Explanation?) {
        let verdict: String
        var ourCode = "-", theirType = "-"
        switch (ours, theirs) {
        case (.success(let x), .success(let y)): verdict = x == y ? "both-accept" : "plaintexts-differ"
        case (.failure(let e), .failure(let t)): verdict = "both-reject"; ourCode = e.code.rawValue; theirType = t
        case (.success, .failure(let t)): verdict = "only-ours-accepts"; theirType = t
        case (.failure(let e), .success): verdict = "only-python-accepts"; ourCode = e.code.rawValue
        }
        var counts = perOperator[op] ?? (0, 0, 0)
        switch verdict {
        case "both-accept": counts.accept += 1; agreements += 1
        case "both-reject": counts.reject += 1; agreements += 1
        default:
            counts.disagree += 1
            disagreements += 1
        }
        var explanation = "-"
        if !verdict.hasPrefix("both") {
            explanation = explain()?.rawValue ?? "UNEXPLAINED"
            if explanation == "UNEXPLAINED" { unexplained += 1 }
            perExplanation[explanation, default: 0] += 1
        }
        perOperator[op] = counts
        let classKey = "\(verdict)\t\(ourCode)\t\(theirType)\t\(explanation)"
        perClass[classKey, default: 0] += 1
        // Keep two mutants of every operator × class (and up to 20 of each disagreement class).
        let keepKey = "\(op)\t\(classKey)"
        let limit = verdict.hasPrefix("both") ? 2 : 20
        guard kept[keepKey, default: 0] < limit else { return }
        kept[keepKey, default: 0] += 1
        let folder = verdict.hasPrefix("both") ? "corpus" : "disagreements"
        let name = "\(verdict)-\(op)-\(manifest.count).bin"
        try? Data(mutant).write(to: URL(fileURLWithPath: "\(outDirectory)/\(folder)/\(name)"))
        let plaintextDigest = (try? ours.get()).map { (try? HashFunction.sha256.digest($0))?.map { String(format: "%02x", $0) }.joined() ?? "" } ?? "-"
        manifest.append("\(folder)/\(name)\t\(verdict)\t\(op)\t\(ourCode)\t\(theirType)\t\(explanation)\t\(base)\t\(plaintextDigest)")
    }

    func write(seconds: Double, seed: UInt64) throws {
        var lines = ["mutants \(agreements + disagreements), agreements \(agreements), disagreements \(disagreements) (explained \(disagreements - unexplained), unexplained \(unexplained)), seed \(seed), \(Int(seconds)) s", "",
                     "explanation\tcount"]
        for (key, count) in perExplanation.sorted(by: { $0.key < $1.key }) { lines.append("\(key)\t\(count)") }
        lines += ["",
                     "operator\tboth-accept\tboth-reject\tdisagree"]
        for (op, c) in perOperator.sorted(by: { $0.key < $1.key }) { lines.append("\(op)\t\(c.accept)\t\(c.reject)\t\(c.disagree)") }
        lines += ["", "verdict\tEnvelopeKit code\tPython ESDK exception\texplanation\tcount"]
        for (key, count) in perClass.sorted(by: { $0.key < $1.key }) { lines.append("\(key)\t\(count)") }
        let report = lines.joined(separator: "\n") + "\n"
        print(report)
        try report.write(toFile: outDirectory + "/report.txt", atomically: true, encoding: .utf8)
        try (["file\tverdict\toperator\tEnvelopeKit code\tPython ESDK exception\texplanation\tbase message\tplaintext SHA-256"] + manifest)
            .joined(separator: "\n").appending("\n").write(toFile: outDirectory + "/manifest.tsv", atomically: true, encoding: .utf8)
    }
}
