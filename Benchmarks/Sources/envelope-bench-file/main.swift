// envelope-bench-file: encrypts or decrypts a file with a raw AES-256 wrapping key through
// EnvelopeClient's file helpers. compare.sh times this whole process as "ours" when the
// `envelope` CLI is not built.
//
//   envelope-bench-file encrypt|decrypt INPUT OUTPUT KEYFILE [--suite 0x0478|0x0578] [--frame N] [--jobs N]
//   envelope-bench-file encrypt-memory|decrypt-memory INPUT RUNS KEYFILE [same options]
//
// OUTPUT "-" writes to standard output through the descriptor API (no output file).
// Modes encrypt-memory and decrypt-memory read INPUT into memory first, then time the public
// one-shot encrypt/decrypt over it in this process (best of RUNS runs), and print the plaintext
// MB/s: the body engine (pipelined on --jobs cores for large inputs) without the kernel's file
// copies and without process start (compare.py's scaling rows).
// KEYFILE holds the 32 raw key bytes. Key namespace and name match compare_python.py.
import Foundation
import EnvelopeCore
import SystemPackage
import EnvelopeCrypto

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4 else { fail("usage: envelope-bench-file encrypt|decrypt INPUT OUTPUT KEYFILE | encrypt-memory|decrypt-memory INPUT RUNS KEYFILE [--suite 0x0478|0x0578] [--frame N] [--jobs N]") }
let mode = arguments[0], input = arguments[1], output = arguments[2], keyFile = arguments[3]
var suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384
var frameLength = 65536
var jobs = EnvelopeClient.availableCores
var i = 4
while i + 1 < arguments.count {
    switch arguments[i] {
    case "--suite":
        switch arguments[i + 1].lowercased() {
        case "0x0478": suite = .aes256GCMHKDFSHA512CommitKey
        case "0x0578": suite = .aes256GCMHKDFSHA512CommitKeyECDSAP384
        default: fail("unsupported suite \(arguments[i + 1])")
        }
    case "--frame": frameLength = Int(arguments[i + 1]) ?? 0
    case "--jobs": jobs = Int(arguments[i + 1]) ?? 0
    default: fail("unknown option \(arguments[i])")
    }
    i += 2
}
guard jobs >= 1, frameLength >= 1 else { fail("--jobs and --frame must be positive") }

let keyBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: keyFile)))
let keyring = try RawAESKeyring(keyNamespace: "bench", keyName: "bench-key", wrappingKey: try SecureBytes(copying: keyBytes))
let client = try EnvelopeClient(concurrency: jobs)
/// Best of `runs` timings of `body`, in seconds.
func bestTime(runs: Int, _ body: () async throws -> Void) async rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let elapsed = try await ContinuousClock().measure { try await body() }
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}

do {
    switch mode {
    case "encrypt-memory":
        let plaintext = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input)))
        let seconds = try await bestTime(runs: Int(output) ?? 3) {
            _ = try await client.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength)
        }
        print(String(format: "%.1f", Double(plaintext.count) / seconds / 1e6))
    case "decrypt-memory":
        let plaintext = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input)))
        let message = try await client.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength).ciphertext
        let seconds = try await bestTime(runs: Int(output) ?? 3) {
            _ = try await client.decrypt(message, keyring: keyring)
        }
        print(String(format: "%.1f", Double(plaintext.count) / seconds / 1e6))
    case "encrypt" where output == "-":
        let fd = try FileDescriptor.open(input, .readOnly)
        _ = try await client.encrypt(from: fd, to: .standardOutput, keyring: keyring, suite: suite, frameLength: frameLength)
    case "decrypt" where output == "-":
        let fd = try FileDescriptor.open(input, .readOnly)
        _ = try await client.decrypt(from: fd, to: .standardOutput, keyring: keyring)
    case "encrypt":
        _ = try await client.encryptFile(at: URL(fileURLWithPath: input), to: URL(fileURLWithPath: output), keyring: keyring,
                                         suite: suite, frameLength: frameLength, overwrite: true)
    case "decrypt":
        _ = try await client.decryptFile(at: URL(fileURLWithPath: input), to: URL(fileURLWithPath: output), keyring: keyring, overwrite: true)
    default:
        fail("mode must be encrypt or decrypt")
    }
} catch {
    fail("\(error)")
}
