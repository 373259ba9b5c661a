@testable import EnvelopeCLICore
import ArgumentParser
import Foundation
import Testing

/// `envelope … --help` of every command, compared with the transcripts under
/// Samples/Tests/EnvelopeCLITests/Resources/help/ so that an accidental change of the help shows up
/// in review. After an intended change, regenerate them with
/// `ENVELOPE_UPDATE_GOLDEN=1 swift test --package-path Samples --filter HelpGoldenTests` and commit
/// the diff.
@Suite("envelope --help: golden transcripts of every command")
struct HelpGoldenTests {
    /// Every command path: [], ["encrypt"], ["kms", "create-key"], …
    static let commandPaths: [[String]] = {
        func walk(_ command: any ParsableCommand.Type, _ path: [String]) -> [[String]] {
            [path] + command.configuration.subcommands.flatMap { sub in
                walk(sub, path + [sub.configuration.commandName ?? sub._commandName])
            }
        }
        return walk(EnvelopeCommand.self, [])
    }()

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/help")

    static func file(for path: [String]) -> URL {
        directory.appendingPathComponent((["envelope"] + path).joined(separator: "-") + ".txt")
    }

    @Test("every command has a transcript and --help prints it exactly", arguments: commandPaths)
    func transcript(path: [String]) throws {
        let box = try Sandbox()
        // A fixed width: ArgumentParser wraps help to COLUMNS when stdout is not a terminal.
        let result = try box.run(path + ["--help"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0, "\(result)")
        let golden = Self.file(for: path)
        if ProcessInfo.processInfo.environment["ENVELOPE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(result.stdout).write(to: golden)
            return
        }
        let expected = try #require(FileManager.default.contents(atPath: golden.path),
                                    "no transcript \(golden.lastPathComponent): run with ENVELOPE_UPDATE_GOLDEN=1 to create it")
        #expect(result.stdoutText == String(decoding: expected, as: UTF8.self),
                "envelope \(path.joined(separator: " ")) --help changed: if intended, rerun with ENVELOPE_UPDATE_GOLDEN=1 and commit the transcripts")
    }

    @Test("no transcript is left over from a command that no longer exists")
    func noStaleTranscripts() throws {
        let expected = Set(Self.commandPaths.map { Self.file(for: $0).lastPathComponent })
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.directory.path)) ?? []).filter { $0.hasSuffix(".txt") }
        #expect(present.subtracting(expected).isEmpty, "stale: \(present.subtracting(expected).sorted())")
    }
}
