import EnvelopeKMS

/// The local KMS's ciphertext blob: version byte 0x01, the key ARN (UInt16 big-endian length and
/// UTF-8 text), a 12-byte IV, the AES-256-GCM ciphertext and the 16-byte tag. The header and
/// the canonical encryption context are the associated data, so the blob is bound to its key and
/// to the exact context.
struct LocalKMSCiphertext {
    static let version: UInt8 = 0x01
    static let ivLength = 12
    static let tagLength = 16

    let keyARN: KMSKeyARN
    let header: [UInt8]
    let iv: [UInt8]
    let ciphertext: [UInt8]
    let tag: [UInt8]

    init(keyARN: KMSKeyARN, iv: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.keyARN = keyARN
        self.header = LocalKMSCiphertext.header(for: keyARN)
        self.iv = iv
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// Parses a blob; `nil` when it is not one of ours.
    init?(blob: [UInt8]) {
        guard blob.count >= 3, blob[0] == LocalKMSCiphertext.version else { return nil }
        let length = Int(blob[1]) << 8 | Int(blob[2])
        let arnEnd = 3 + length
        guard blob.count >= arnEnd + LocalKMSCiphertext.ivLength + LocalKMSCiphertext.tagLength,
              let text = String(bytes: blob[3..<arnEnd], encoding: .utf8),
              let arn = try? KMSKeyARN(parsing: text) else { return nil }
        keyARN = arn
        header = Array(blob[0..<arnEnd])
        iv = Array(blob[arnEnd..<arnEnd + LocalKMSCiphertext.ivLength])
        ciphertext = Array(blob[(arnEnd + LocalKMSCiphertext.ivLength)..<(blob.count - LocalKMSCiphertext.tagLength)])
        tag = Array(blob[(blob.count - LocalKMSCiphertext.tagLength)...])
    }

    var blob: [UInt8] { header + iv + ciphertext + tag }

    static func header(for arn: KMSKeyARN) -> [UInt8] {
        let text = Array(arn.description.utf8)
        return [version, UInt8(text.count >> 8), UInt8(text.count & 0xFF)] + text
    }

    /// Header ‖ encryption context sorted by key (UTF-8 order), each key and value with a UInt32 big-endian length.
    static func associatedData(header: [UInt8], context: [String: String]) -> [UInt8] {
        var out = header
        for (key, value) in context.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            for part in [Array(key.utf8), Array(value.utf8)] {
                let n = UInt32(part.count)
                out += [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + part
            }
        }
        return out
    }
}
