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

/// One test case: the fields every Wycheproof case has, and the primitive's own fields (inputs and
/// expected output) decoded from the same JSON object as `Inputs`.
struct WycheproofTest<Inputs: Decodable>: Decodable {
    let tcId: Int
    let comment: String
    let flags: [String]
    let result: WycheproofResult
    let inputs: Inputs

    private enum CodingKeys: String, CodingKey { case tcId, comment, flags, result }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tcId = try container.decode(Int.self, forKey: .tcId)
        comment = try container.decode(String.self, forKey: .comment)
        flags = try container.decode([String].self, forKey: .flags)
        result = try container.decode(WycheproofResult.self, forKey: .result)
        inputs = try Inputs(from: decoder)
    }
}

/// A test group: its own fields (key, sizes, curve, …) as `Parameters`, and its cases.
struct WycheproofGroup<Parameters: Decodable, Inputs: Decodable>: Decodable {
    let parameters: Parameters
    let tests: [WycheproofTest<Inputs>]

    private enum CodingKeys: String, CodingKey { case tests }

    init(from decoder: any Decoder) throws {
        parameters = try Parameters(from: decoder)
        tests = try decoder.container(keyedBy: CodingKeys.self).decode([WycheproofTest<Inputs>].self, forKey: .tests)
    }
}

/// For groups whose fields the test does not need.
struct NoParameters: Decodable {}

/// A Wycheproof file (`Vectors/wycheproof/NAME`).
struct WycheproofFile<Parameters: Decodable, Inputs: Decodable>: Decodable {
    let numberOfTests: Int
    let testGroups: [WycheproofGroup<Parameters, Inputs>]

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

    init<P, I>(_ name: String, _ file: WycheproofFile<P, I>) {
        self.file = name
        numberOfTests = file.numberOfTests
    }

    /// Runs one case. `run` returns whether the output matched the file's; a throw is a refusal.
    /// `refusalIsExpected` checks the error of a refused case (for example: a typed key error,
    /// not a library failure); a refusal it rejects counts as a failure.
    mutating func judge<I>(_ test: WycheproofTest<I>, refusalIsExpected: ((any Error) -> Bool)? = nil,
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
            guard refusalIsExpected?(error) ?? true else { return fail(test, "was refused with an unexpected error: \(error)") }
            passed += 1
            if test.result == .acceptable { acceptableRefused += 1 }
        }
    }

    /// Counts cases our API cannot express (see each test for why).
    mutating func skip(_ count: Int) { skipped += count }

    private mutating func fail<I>(_ test: WycheproofTest<I>, _ what: String) {
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
