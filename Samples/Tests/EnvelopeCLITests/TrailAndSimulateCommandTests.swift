import Foundation
import Testing

@Suite("envelope: kms trail, policy simulate, local IAM options")
struct TrailAndSimulateCommandTests {
    static let thirdUser = "arn:aws:iam::111122223333:user/Mallory"

    @Test("kms trail prints one JSON line per decision with the deciding statements")
    func trail() throws {
        let fx = try KMSFixture()
        let encrypted = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "a.enc", "-w", "key=\(fx.keyARN)"])
        #expect(encrypted.status == 0, "\(encrypted)")
        let trail = try fx.box.run(["kms", "trail", "--kms-state", fx.state])
        #expect(trail.status == 0, "\(trail)")
        let lines = trail.stdoutText.split(separator: "\n")
        let lastLine = try #require(lines.last)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        #expect(last["outcome"] as? String == "Allow")
        #expect(last["caller"] as? String == KMSFixture.externalUser)
        #expect(last["resource"] as? String == fx.keyARN)
        let statements = try #require(last["statements"] as? [[String: Any]])
        #expect(statements.map { $0["sid"] as? String } == ["AllowUseOfTheKey", "AllowUseOfTheKey"])
    }

    @Test("policy simulate answers Allow with the statements, or Deny with the missing side (exit 77), without logging")
    func simulate() throws {
        let fx = try KMSFixture()
        let allowed = try fx.box.run(["policy", "simulate", "--principal", KMSFixture.externalUser, "--action", "kms:Decrypt",
                                      "--key", fx.keyARN, "-c", "dept=finance", "--kms-state", fx.state])
        #expect(allowed.status == 0, "\(allowed)")
        let json = try allowed.json()
        #expect(json["Decision"] as? String == "Allow")
        #expect((json["Statements"] as? [[String: Any]])?.count == 2)
        let denied = try fx.box.run(["policy", "simulate", "--principal", Self.thirdUser, "--action", "kms:Decrypt",
                                     "--key", fx.keyARN, "--kms-state", fx.state])
        #expect(denied.status == 77, "\(denied)")
        let deniedJSON = try denied.json()
        #expect(deniedJSON["Decision"] as? String == "Deny")
        #expect((deniedJSON["Missing"] as? String)?.contains("key policy") == true)
        let trail = try fx.box.run(["kms", "trail", "--kms-state", fx.state])
        #expect(!trail.stdoutText.contains(Self.thirdUser), "a simulation is not a request")
    }

    @Test("tag-principal and set-organization feed aws:PrincipalTag and aws:PrincipalOrgID")
    func localIAM() throws {
        let fx = try KMSFixture()
        let tagged = try fx.box.run(["kms", "tag-principal", "--principal-arn", "arn:aws:iam::012345678901:role/team/Builder",
                                     "--tag", "team=blue", "--kms-state", fx.state])
        #expect(tagged.status == 0, "\(tagged)")
        #expect((try tagged.json()["Tags"] as? [String: String]) == ["team": "blue"])
        let org = try fx.box.run(["kms", "set-organization", "--account", KMSFixture.external, "--organization-id", "o-exampleorg",
                                  "--kms-state", fx.state])
        #expect(org.status == 0, "\(org)")
        #expect(try org.json()["OrganizationId"] as? String == "o-exampleorg")
    }

    @Test("kms trail --follow prints the existing lines, then each new decision as it is logged")
    func follow() throws {
        let fx = try KMSFixture()
        _ = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "a.enc", "-w", "key=\(fx.keyARN)"])
        let process = Process()
        process.executableURL = CLIRunner.envelope
        process.arguments = ["kms", "trail", "--follow", "--kms-state", fx.state]
        process.currentDirectoryURL = fx.box.url
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // A hang guard only: if lines never come, the process is stopped and the reads end. Ten
        // minutes, so that a slow machine (TSan, parallel suites) running the CLI and the encrypt
        // below never reaches it; the reads wait for the lines themselves.
        let guardTimer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 600, execute: guardTimer)
        defer { guardTimer.cancel(); if process.isRunning { process.terminate() }; process.waitUntilExit() }
        var received = Data()
        func readLines(until count: Int) -> Int {
            while received.split(separator: UInt8(ascii: "\n")).count < count {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            return received.split(separator: UInt8(ascii: "\n")).count
        }
        let before = readLines(until: 1)
        #expect(before >= 1)
        _ = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "b.enc", "-w", "key=\(fx.aliasARN)"])
        #expect(readLines(until: before + 1) == before + 1)
        let lines = received.split(separator: UInt8(ascii: "\n"))
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines[lines.count - 1])) as? [String: Any])
        #expect(last["caller"] as? String == KMSFixture.externalUser)
        #expect(process.isRunning, "--follow keeps running")
    }
}
