#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto
import Foundation

/// Checks and decoding of key files: base64 and hex key files (`key-encoding=` in the SPEC, or
/// recognised to say how to decode them), and a warning for files others may read.
enum KeyFileCheck {
    /// Warns on stderr when `path` is readable by its group or by others.
    static func warnIfShared(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o044 != 0 else { return }
        StandardStreams.printStderr("envelope: warning: the key file \(path) is readable by group or others; restrict it: chmod 600 \(path)\n")
    }

    /// The key bytes of a file's contents: as they are (`raw`), or decoded from base64 or hex
    /// (surrounding whitespace ignored). The caller wipes both arrays.
    static func decode(_ stored: [UInt8], _ encoding: KeyFileEncoding, file: String, spec: WrappingKeySpec) throws(CLIError) -> [UInt8] {
        switch encoding {
        case .raw: return stored
        case .base64:
            var text = trimmed(stored)
            defer { ConstantTime.zeroArray(&text) }
            guard let data = Data(base64Encoded: Data(text)) else {
                throw .usage("-w \(spec.text): the key file \(file) is not base64", hint: "drop key-encoding=base64 if the file holds raw bytes")
            }
            return [UInt8](data)
        case .hex:
            var text = trimmed(stored)
            defer { ConstantTime.zeroArray(&text) }
            guard let bytes = hexBytes(text) else {
                throw .usage("-w \(spec.text): the key file \(file) is not hex", hint: "drop key-encoding=hex if the file holds raw bytes")
            }
            return bytes
        }
    }

    /// Whether raw contents look like a base64 or hex encoding of a 16, 24 or 32-byte key.
    static func detectEncoding(_ stored: [UInt8]) -> KeyFileEncoding? {
        var text = trimmed(stored)
        defer { ConstantTime.zeroArray(&text) }
        if var bytes = hexBytes(text) {
            defer { ConstantTime.zeroArray(&bytes) }
            if [16, 24, 32].contains(bytes.count) { return .hex }
        }
        if let data = Data(base64Encoded: Data(text)), [16, 24, 32].contains(data.count) { return .base64 }
        return nil
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard let first = bytes.firstIndex(where: { !space.contains($0) }), let last = bytes.lastIndex(where: { !space.contains($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// Hex digits (an even number of them) to bytes; nil for anything else.
    private static func hexBytes(_ text: [UInt8]) -> [UInt8]? {
        guard !text.isEmpty, text.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var index = 0
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else {
                ConstantTime.zeroArray(&out)
                return nil
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
