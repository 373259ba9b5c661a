import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// JSON printed on stdout by the `kms` and `policy` subcommands.
enum JSONOutput {
    /// Prints an ordered JSON value, indented, with a final newline.
    static func print(_ value: JSONValue) {
        StandardStreams.printStdout(value.rendered(indent: 2) + "\n")
    }

    /// Converts an `Encodable` value (KMS wire types) to an ordered JSON value (keys sorted).
    static func value<T: Encodable>(of encodable: T) throws(CLIError) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(encodable)
            return try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw CLIError(.failure, "cannot render JSON: \(error)")
        }
    }

    /// Parses policy text for printing (keeps member order); falls back to a string.
    static func policy(_ text: String) -> JSONValue {
        (try? JSONValue(parsing: text)) ?? .string(text)
    }
}

/// Reads `--policy-file F|-`.
enum PolicyFileReader {
    static func read(_ path: String) throws(CLIError) -> String {
        if path == "-" {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { readStdin($0) }
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.noInput, "cannot read the policy file \(path)", hint: "check the path given to --policy-file (- reads stdin)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func readStdin(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        #if canImport(Glibc)
        return Glibc.read(0, buffer.baseAddress, buffer.count)
        #else
        return Darwin.read(0, buffer.baseAddress, buffer.count)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
