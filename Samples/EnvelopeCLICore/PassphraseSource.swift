#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a PEM passphrase from a file (`--passphrase-file F`, `passphrase-file=F` in a SPEC).
///
/// The file holds the passphrase; one final newline (`\n` or `\r\n`, as `echo` and editors leave)
/// is not part of it. The passphrase itself is never printed.
enum PassphraseSource {
    /// The passphrase bytes of `path`; the caller wipes them after use.
    static func read(file path: String) throws(CLIError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.noInput, "the passphrase file \(path) cannot be read", hint: "check the path; the file holds the passphrase on one line")
        }
        var bytes = [UInt8](data)
        dropFinalNewline(&bytes)
        guard !bytes.isEmpty else {
            throw .usage("the passphrase file \(path) is empty", hint: "write the passphrase into it, e.g. with a password manager's export")
        }
        return bytes
    }

    /// Removes one final `\n` or `\r\n` (what `echo` and editors leave after a passphrase).
    private static func dropFinalNewline(_ bytes: inout [UInt8]) {
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
    }
}
