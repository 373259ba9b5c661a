import EnvelopeTestSupport
import Foundation
import Testing

/// What Wycheproof expects of a test case.
enum WycheproofResult: String, Decodable {
    /// Must succeed with the given output.
    case valid
    /// Must fail.
    case invalid
    /// Either, but a success must give the given output.
    case acceptable
}

/// The fields every Wycheproof test case has.
protocol WycheproofCase: Decodable {
    var tcId: Int { get }
    var comment: String { get }
    var flags: [String] { get }
    var result: WycheproofResult { get }
}

/// A Wycheproof file (`Vectors/wycheproof/NAME`) with its groups decoded as `Group`.
struct WycheproofFile<Group: Decodable>: Decodable {
    let numberOfTests: Int
    let testGroups: [Group]

    static func load(_ name: String) throws -> WycheproofFile {
        let folder = try #require(Bundle.module.url(forResource: "Vectors", withExtension: nil))
        let data = try Data(contentsOf: folder.appendingPathComponent("wycheproof").appendingPathComponent(name))
        return try JSONDecoder().decode(WycheproofFile.self, from: data)
    }
}

/// What our API did with a case.
enum WycheproofVerdict {
    /// It succeeded; `matchesExpected` says whether its output was the file's.
    case accepted(matchesExpected: Bool)
    /// It refused the input (threw, or a verification said no).
    case refused(any Error)
}

/// Counts one file's cases and turns them into expectations and a table row.
struct WycheproofTally {
    let file: String
    let numberOfTests: Int
    private(set) var passed = 0
    private(set) var skipped = 0
    /// Acceptable cases our API accepted (with the right output) and refused.
    private(set) var acceptableAccepted = 0
    private(set) var acceptableRefused = 0
    private(set) var failures: [String] = []

    init<Group>(_ name: String, _ file: WycheproofFile<Group>) {
        self.file = name
        numberOfTests = file.numberOfTests
    }

    /// Runs one case. `run` returns whether the output matched the file's; a throw is a refusal.
    /// `refusalIsExpected` checks the error of a refused case (for example: a typed key error,
    /// not a library failure); a refusal it rejects counts as a failure.
    mutating func judge(_ test: some WycheproofCase, refusalIsExpected: (any Error) -> Bool = { _ in true },
                        _ run: () throws -> WycheproofVerdict) {
        let verdict: WycheproofVerdict
        do { verdict = try run() } catch { verdict = .refused(error) }
        switch (test.result, verdict) {
        case (.valid, .accepted(true)):
            passed += 1
        case (.acceptable, .accepted(true)):
            passed += 1
            acceptableAccepted += 1
        case (.valid, .accepted(false)), (.acceptable, .accepted(false)):
            fail(test, "succeeded with another output")
        case (.invalid, .accepted):
            fail(test, "was accepted")
        case (.valid, .refused(let error)):
            fail(test, "was refused: \(error)")
        case (.invalid, .refused(let error)), (.acceptable, .refused(let error)):
            guard refusalIsExpected(error) else { return fail(test, "was refused with an unexpected error: \(error)") }
            passed += 1
            if test.result == .acceptable { acceptableRefused += 1 }
        }
    }

    /// Counts cases our API cannot express (see each test for why).
    mutating func skip(_ count: Int) { skipped += count }

    private mutating func fail(_ test: some WycheproofCase, _ what: String) {
        failures.append("tcId \(test.tcId) (\(test.result.rawValue), \(test.flags.joined(separator: ",")), \(test.comment)) \(what)")
    }

    /// Expects no failure, the expected number of skipped cases and every case counted, and prints
    /// the file's row of the Wycheproof table (grep the test output for "Wycheproof |").
    func finish(expectedSkipped: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(failures.isEmpty, "\(file): \(failures.count) failed: \(failures.prefix(10).joined(separator: "; "))",
                sourceLocation: sourceLocation)
        #expect(skipped == expectedSkipped, "\(file): \(skipped) skipped, expected \(expectedSkipped)", sourceLocation: sourceLocation)
        #expect(passed + failures.count + skipped == numberOfTests, "\(file): not every case was counted", sourceLocation: sourceLocation)
        // Columns: file | tests | passed | failed | skipped | acceptable cases accepted / refused
        print("Wycheproof | \(file) | \(numberOfTests) | \(passed) | \(failures.count) | \(skipped) | \(acceptableAccepted) / \(acceptableRefused) |")
    }
}

/// Decodes Wycheproof's hex strings.
func wycheproofBytes(_ hexText: String) throws -> [UInt8] {
    try #require(bytes(fromHex: hexText), "not hex: \(hexText)")
}
