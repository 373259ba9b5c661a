@testable import EnvelopeCLICore
import Foundation
import Testing

/// `@FILE`, with aws-encryption-cli's rules: argparse `fromfile_prefix_chars="@"`, each line split by
/// Python's shlex (POSIX, both quotes escapable, `#` comments), then `~` and `$VAR` expanded
/// (aws_encryption_sdk_cli/internal/arg_parsing.py, `convert_arg_line_to_args`, 4.3.0).
@Suite("envelope: @argfile expansion")
struct ArgumentFileTests {
    @Test("lines split like aws-encryption-cli's shlex parser", arguments: [
        ("-w provider=raw-aes key-file=k.bin", ["-w", "provider=raw-aes", "key-file=k.bin"]),
        ("-c 'team=blue sky' \"a=b c\"", ["-c", "team=blue sky", "a=b c"]),
        ("-i in # the input", ["-i", "in"]),
        ("a#b c", ["a"]),
        ("# only a comment", []),
        ("e\\ f 'it\\'s' \"x\\\\y\" 'p\\q'", ["e f", "it's", "x\\y", "p\\q"]),
        ("''", [""]),
    ])
    func split(line: String, words: [String]) throws {
        #expect(try ArgumentFileExpansion.split(line: line, file: "f") == words)
    }

    @Test("an unterminated quote is a usage error naming the file")
    func unterminatedQuote() {
        #expect(throws: CLIError.self) { try ArgumentFileExpansion.split(line: "-c 'a=b", file: "args.txt") }
    }

    @Test("~ and $VAR are expanded; unknown variables stay as written")
    func variables() {
        let env = ["HOME": "/home/u", "KEYS": "/keys"]
        #expect(ArgumentFileExpansion.expandVariables("~/k.bin", environment: env) == "/home/u/k.bin")
        #expect(ArgumentFileExpansion.expandVariables("key-file=$KEYS/k.bin", environment: env) == "key-file=/keys/k.bin")
        #expect(ArgumentFileExpansion.expandVariables("${KEYS}x", environment: env) == "/keysx")
        #expect(ArgumentFileExpansion.expandVariables("$NOPE/x", environment: env) == "$NOPE/x")
        #expect(ArgumentFileExpansion.expandVariables("a~b", environment: env) == "a~b")
    }

    @Test("@FILE works on the command line, nested, and not after --; a missing file exits 66; self-reference is refused")
    func commandLine() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(3000))
        try box.write("keys.args", Array("# the wrapping key\n\(key.spec.joined(separator: " "))\n".utf8))
        try box.write("enc.args", Array("-i plain.bin -o m.enc\n@keys.args\n".utf8))
        let enc = try box.run(["encrypt", "@enc.args"])
        #expect(enc.status == 0, "\(enc)")
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "out.bin", "@keys.args"])
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("out.bin") == testBytes(3000))
        let missing = try box.run(["encrypt", "@nope.args"])
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("nope.args"))
        try box.write("loop.args", Array("@loop.args\n".utf8))
        let loop = try box.run(["encrypt", "@loop.args"])
        #expect(loop.status == 64, "\(loop)")
        #expect(try ArgumentFileExpansion.expand(["--", "@x"]) == ["--", "@x"])
        #expect(try ArgumentFileExpansion.expand(["@"]) == ["@"])
    }
}
