@testable import EnvelopeCLICore
import Testing

@Suite("EnvelopeCLICore: argument regrouping, SPEC parsing, progress text")
struct CLICoreUnitTests {
    static let sep = String(ArgumentPreprocessor.separator)

    @Test("each -w takes all the words of its SPEC; other options are untouched")
    func regroup() {
        let out = ArgumentPreprocessor.regroup(["encrypt", "-i", "-", "-w", "provider=raw-aes", "key-file=k", "namespace=n", "name=a",
                                                "-w", "key=arn:aws:kms:us-east-1:111122223333:key/x", "-c", "a=b", "c=d", "-o", "-"])
        #expect(out == ["encrypt", "-i", "-", "-w", ["provider=raw-aes", "key-file=k", "namespace=n", "name=a"].joined(separator: Self.sep),
                        "-w", "key=arn:aws:kms:us-east-1:111122223333:key/x", "-c", "a=b", "c=d", "-o", "-"])
        #expect(ArgumentPreprocessor.regroup(["--wrapping-keys=key=k", "region=us-west-2", "--force"])
                == ["--wrapping-keys", "key=k" + Self.sep + "region=us-west-2", "--force"])
        #expect(ArgumentPreprocessor.regroup(["-wkey=k", "profile=p"]) == ["-w", "key=k" + Self.sep + "profile=p"])
        #expect(ArgumentPreprocessor.regroup(["-w"]) == ["-w"])
    }

    @Test("SPEC parsing: KMS keys with region and profile, raw AES, raw RSA")
    func specs() throws {
        let kms = try WrappingKeySpec(parsing: ["key=arn:aws:kms:us-east-1:111122223333:alias/A", "key=alias/B", "region=eu-west-1", "profile=p"].joined(separator: Self.sep))
        guard case .kms(let keys, let region, let profile) = kms.kind else { Issue.record("not a KMS SPEC"); return }
        #expect(keys.map(\.description) == ["arn:aws:kms:us-east-1:111122223333:alias/A", "alias/B"])
        #expect(region == "eu-west-1" && profile == "p")
        let aes = try WrappingKeySpec(parsing: ["provider=raw-aes", "key-file=/k", "namespace=ns", "name=n"].joined(separator: Self.sep))
        #expect(aes.kind == .rawAES(keyFile: "/k", namespace: "ns", name: "n"))
        let rsa = try WrappingKeySpec(parsing: ["name=n", "provider=raw-rsa", "padding=oaep-sha384", "namespace=ns", "key-file=/p"].joined(separator: Self.sep))
        #expect(rsa.kind == .rawRSA(keyFile: "/p", namespace: "ns", name: "n", padding: .oaepSHA384))
        #expect(throws: CLIError.self) { try WrappingKeySpec(parsing: ["provider=raw-aes", "key-file=a", "key-file=b", "namespace=n", "name=n"].joined(separator: Self.sep)) }
        #expect(throws: CLIError.self) { try WrappingKeySpec(parsing: "region=us-east-1") }
    }

    @Test("progress text: percentage, bytes, rate, ETA; unknown totals show bytes and rate")
    func progressText() {
        let line = ProgressBar.render(label: "encrypting", done: 50 * 1024 * 1024, total: 100 * 1024 * 1024, elapsed: 2)
        #expect(line.contains(" 50% "))
        #expect(line.contains("50.0 MiB / 100.0 MiB"))
        #expect(line.contains("25.0 MiB/s"))
        #expect(line.contains("ETA 0:02"))
        let open = ProgressBar.render(label: "decrypting", done: 2048, total: nil, elapsed: 1)
        #expect(open == "decrypting 2.0 KiB  2.0 KiB/s")
        #expect(ProgressBar.clock(3725) == "1:02:05")
    }

    @Test("every exit code is documented in the table")
    func exitTable() {
        for code in CLIExitCode.allCases { #expect(CLIExitCode.table.contains(" \(code.rawValue) ")) }
    }
}
