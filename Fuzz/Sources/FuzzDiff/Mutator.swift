import EnvelopeCore
import EnvelopeCrypto

/// A valid message one of the two implementations wrote, with what it takes to edit its header
/// and re-authenticate it.
struct BaseMessage {
    let name: String
    let suite: AlgorithmSuite
    let bytes: [UInt8]
    let plaintext: [UInt8]
    /// The plaintext data key (captured while decrypting the message once).
    let dataKey: SecureBytes
    let header: HeaderFields
    let layout: BodyLayout
}

/// SplitMix64: a small seeded generator, so a run is reproducible from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The mutation operators. Each returns the mutant and its operator name (the class it is counted under).
struct Mutator {
    var rng: SeededGenerator
    let bases: [BaseMessage]

    /// Operators and their weights.
    private static let operators: [(String, Int)] = [
        ("bitflip", 14), ("byteset", 6), ("truncate", 5), ("truncate-boundary", 5), ("append", 3), ("insert", 2), ("delete", 3),
        ("splice-frame", 5), ("splice-tail", 4), ("swap-frames", 3), ("dup-frame", 2), ("drop-frame", 3), ("swap-header", 3), ("swap-footer", 2),
        ("hdr-frame-length", 4), ("hdr-content-type", 2), ("hdr-context-add", 3), ("hdr-context-remove", 2), ("hdr-context-reorder", 2),
        ("hdr-context-dup", 2), ("hdr-context-value", 2), ("hdr-context-empty-count", 1), ("hdr-edk-add", 3), ("hdr-edk-dup", 2),
        ("hdr-edk-reorder", 2), ("hdr-edk-remove", 2), ("hdr-edk-provider", 2), ("hdr-suite", 3), ("hdr-version", 1), ("hdr-v1-reserved", 1),
        ("hdr-v1-ivlen", 1), ("hdr-v1-iv", 1), ("hdr-v2-commitment", 1), ("hdr-message-id", 1), ("hdr-identity", 1),
        ("edk-count", 3), ("edk-length", 3), ("context-length", 2),
    ]
    private static let totalWeight = operators.reduce(0) { $0 + $1.1 }

    mutating func int(_ range: Range<Int>) -> Int { range.isEmpty ? range.lowerBound : Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// One mutant of a random base message.
    mutating func next() -> (bytes: [UInt8], op: String, base: BaseMessage) {
        let base = pick(bases)
        var roll = int(0..<Self.totalWeight)
        var op = Self.operators[0].0
        for (name, weight) in Self.operators {
            if roll < weight { op = name; break }
            roll -= weight
        }
        if let bytes = mutate(base, op) { return (bytes, op, base) }
        return (flip(base.bytes), "bitflip", base)  // the operator did not apply to this message
    }

    private mutating func flip(_ input: [UInt8]) -> [UInt8] {
        var out = input
        guard !out.isEmpty else { return out }
        for _ in 0..<int(1..<5) {
            // Half the flips land in the header, where most decisions are made.
            let limit = chance(0.5) ? min(out.count, 200) : out.count
            out[int(0..<limit)] ^= UInt8(1) << UInt8(int(0..<8))
        }
        return out
    }

    /// A partner for splicing: another message of the same suite (any writer), else any message.
    private mutating func partner(of base: BaseMessage) -> BaseMessage {
        let same = bases.filter { $0.suite == base.suite && $0.name != base.name }
        return same.isEmpty || chance(0.1) ? pick(bases) : pick(same)
    }

    private mutating func mutate(_ base: BaseMessage, _ op: String) -> [UInt8]? {
        let m = base.bytes
        let layout = base.layout
        let body = Array(m[layout.headerLength...])
        switch op {
        case "bitflip": return flip(m)
        case "byteset":
            var out = m
            for _ in 0..<int(1..<3) { out[int(0..<out.count)] = pick([0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE]) }
            return out
        case "truncate": return Array(m[..<int(0..<m.count)])
        case "truncate-boundary":
            let cut = pick(layout.boundaries.filter { $0 < m.count }) + pick([-1, 0, 0, 1])
            return Array(m[..<max(0, min(cut, m.count - 1))])
        case "append": return m + (chance(0.5) ? bytes(int(1..<33)) : Array(m[pick(layout.frames)]))
        case "insert":
            let at = int(0..<m.count + 1)
            return Array(m[..<at]) + bytes(int(1..<17)) + Array(m[at...])
        case "delete":
            let at = int(0..<m.count)
            return Array(m[..<at]) + Array(m[min(m.count, at + int(1..<17))...])
        case "splice-frame":
            let other = partner(of: base)
            let mine = pick(layout.frames), theirs = pick(other.layout.frames)
            return Array(m[..<mine.lowerBound]) + Array(other.bytes[theirs]) + Array(m[mine.upperBound...])
        case "splice-tail":
            let other = partner(of: base)
            return Array(m[..<pick(layout.boundaries)]) + Array(other.bytes[pick(other.layout.boundaries)...])
        case "swap-frames":
            guard layout.frames.count >= 2 else { return nil }
            var pieces = layout.frames.map { Array(m[$0]) }
            let i = int(0..<pieces.count), j = int(0..<pieces.count)
            pieces.swapAt(i, j)
            return Array(m[..<layout.headerLength]) + pieces.flatMap { $0 } + footerBytes(base)
        case "dup-frame":
            let frame = int(0..<layout.frames.count)
            let range = layout.frames[frame]
            return Array(m[..<range.upperBound]) + Array(m[range]) + Array(m[range.upperBound...])
        case "drop-frame":
            guard layout.frames.count >= 2 else { return nil }
            let range = pick(layout.frames)
            return Array(m[..<range.lowerBound]) + Array(m[range.upperBound...])
        case "swap-header":
            let other = partner(of: base)
            return Array(m[..<layout.headerLength]) + Array(other.bytes[other.layout.headerLength...])
        case "swap-footer":
            let other = partner(of: base)
            guard layout.footer != nil, other.layout.footer != nil else { return nil }
            return Array(m[..<layout.frames.last!.upperBound]) + footerBytes(other)
        default:
            guard let header = editHeader(base, op) else { return nil }
            return header.bytes + body
        }
    }

    private func footerBytes(_ base: BaseMessage) -> [UInt8] { base.layout.footer.map { Array(base.bytes[$0]) } ?? [] }

    /// Header edits; the tag is recomputed (and the commitment, unless the edit is to it) where the
    /// suite and data key allow. The raw length/count edits are re-tagged half of the time.
    private mutating func editHeader(_ base: BaseMessage, _ op: String) -> HeaderFields? {
        var h = base.header
        var recommit = true
        var retag = true
        switch op {
        case "hdr-frame-length":
            h.frameLength = pick([0, 1, h.frameLength &- 1, h.frameLength &+ 1, h.frameLength &* 2, h.frameLength / 2,
                                  0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, UInt32(int(0..<5000))])
        case "hdr-content-type":
            h.contentType = pick([0, 1, 2, 3, 0xFF])
            if h.contentType == 1 && chance(0.5) { h.frameLength = 0 }
        case "hdr-context-add", "hdr-context-remove", "hdr-context-reorder", "hdr-context-dup", "hdr-context-value":
            guard var pairs = ContextPairs(h.context) else { return nil }
            switch op {
            case "hdr-context-add":
                let key: [UInt8] = pick([Array("extra".utf8), [], Array("aws-crypto-public-key".utf8), Array("aws-crypto-x".utf8), bytes(int(1..<6)),
                                         [0xC3, 0xA9], [0x65, 0xCC, 0x81]])
                pairs.pairs.insert((key, pick([[], Array("v".utf8), bytes(int(1..<8))])), at: int(0..<pairs.pairs.count + 1))
            case "hdr-context-remove":
                guard !pairs.pairs.isEmpty else { return nil }
                pairs.pairs.remove(at: int(0..<pairs.pairs.count))
            case "hdr-context-reorder":
                guard pairs.pairs.count >= 2 else { return nil }
                pairs.pairs.reverse()
            case "hdr-context-dup":
                guard !pairs.pairs.isEmpty else { return nil }
                let pair = pick(pairs.pairs)
                pairs.pairs.append((pair.key, chance(0.5) ? pair.value : Array("other".utf8)))
            default:
                guard !pairs.pairs.isEmpty else { return nil }
                let i = int(0..<pairs.pairs.count)
                pairs.pairs[i].value = pick([[], bytes(int(1..<8)), [0xFF, 0xFE], pairs.pairs[i].value + [0x41]])
            }
            h.context = pairs.serialized
        case "hdr-context-empty-count":
            h.context = pick([[0, 0], [0, 0, 0], [0]])
        case "hdr-edk-add":
            let provider: [UInt8] = pick([Array("aws-kms".utf8), Array("envelope-fuzz".utf8), [], bytes(int(1..<6)), [0xFF]])
            let edk = HeaderFields.RawEDK(providerID: provider, providerInfo: pick([[], bytes(int(1..<40))]), ciphertext: bytes(int(0..<80)))
            h.edks.insert(edk, at: int(0..<h.edks.count + 1))
        case "hdr-edk-dup":
            h.edks.append(pick(h.edks))
        case "hdr-edk-reorder":
            guard h.edks.count >= 2 else { return nil }
            h.edks.reverse()
        case "hdr-edk-remove":
            guard h.edks.count >= 2 else { h.edks = []; break }
            h.edks.remove(at: int(0..<h.edks.count))
        case "hdr-edk-provider":
            let i = int(0..<h.edks.count)
            h.edks[i].providerID = pick([[], Array("aws-kms".utf8), [0xC0, 0x80], h.edks[i].providerID + [0x41], Array("ENVELOPE-FUZZ".utf8)])
        case "hdr-suite":
            h.suiteID = pick(AlgorithmSuite.all.map(\.id) + [0x0000, 0x0079, 0x0278, 0xFFFF])
        case "hdr-version":
            h.version = pick([0, 1, 2, 3, 0x41])
        case "hdr-v1-reserved":
            guard h.version == 1 else { return nil }
            h.reserved = pick([1, 0x8000_0000, 0xFFFF_FFFF])
        case "hdr-v1-ivlen":
            guard h.version == 1 else { return nil }
            h.ivLength = pick([0, 11, 13, 16, 0xFF])
        case "hdr-v1-iv":
            guard h.version == 1 else { return nil }
            h.headerIV = bytes(12)
        case "hdr-v2-commitment":
            guard h.version == 2 else { return nil }
            h.suiteData[int(0..<32)] ^= 1
            recommit = false
        case "hdr-message-id":
            h.messageID[int(0..<h.messageID.count)] ^= UInt8(1) << UInt8(int(0..<8))
        case "hdr-identity":
            break
        case "edk-count":
            let n = h.edks.count
            h.edkCountOverride = UInt16(truncatingIfNeeded: pick([0, n - 1, n + 1, n + 2, 0xFFFF]))
            retag = chance(0.5)
        case "edk-length":
            let i = int(0..<h.edks.count)
            let delta = pick([-2, -1, 1, 2, 0x1000, -h.edks[i].ciphertext.count])
            switch int(0..<3) {
            case 0: h.edks[i].lengthDeltas.0 = delta
            case 1: h.edks[i].lengthDeltas.1 = delta
            default: h.edks[i].lengthDeltas.2 = delta
            }
            retag = chance(0.5)
        case "context-length":
            h.contextLengthDelta = pick([-2, -1, 1, 2, 0x100])
            retag = chance(0.5)
        default:
            fatalError("unknown operator \(op)")
        }
        if retag { _ = h.retag(dataKey: base.dataKey, recommit: recommit) }
        return h
    }
}
