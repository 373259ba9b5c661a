/// Where the pieces of a well-formed message lie: the header, each frame (or the one non-framed
/// body), the footer. Used to truncate at boundaries and to splice frames of two messages.
struct BodyLayout {
    var headerLength: Int
    /// Byte ranges of the frames, the final frame last (one range for a non-framed body).
    var frames: [Range<Int>]
    /// The footer (signature length and signature) of a signed message, else nil.
    var footer: Range<Int>?

    /// Walks a message whose header is `header` (of `headerLength` bytes); nil if the body does not walk.
    init?(_ message: [UInt8], header: HeaderFields, headerLength: Int, signed: Bool) {
        self.headerLength = headerLength
        frames = []
        var cursor = Cursor(message, at: headerLength)
        if header.contentType == 1 {
            let start = cursor.offset
            guard cursor.take(12) != nil, let length = cursor.uint(8), length <= UInt64(message.count),
                  cursor.take(Int(length) + 16) != nil else { return nil }
            frames.append(start..<cursor.offset)
        } else {
            while true {
                let start = cursor.offset
                guard let sequence = cursor.uint(4) else { return nil }
                if sequence == 0xFFFF_FFFF {
                    guard cursor.take(4 + 12) != nil, let length = cursor.uint(4), length <= UInt64(message.count),
                          cursor.take(Int(length) + 16) != nil else { return nil }
                    frames.append(start..<cursor.offset)
                    break
                }
                guard cursor.take(12 + Int(header.frameLength) + 16) != nil else { return nil }
                frames.append(start..<cursor.offset)
            }
        }
        if signed {
            let start = cursor.offset
            guard let length = cursor.uint16(), cursor.take(length) != nil else { return nil }
            footer = start..<cursor.offset
        }
        guard cursor.atEnd else { return nil }
    }

    /// Every boundary between pieces (after the header, after each frame).
    var boundaries: [Int] { [headerLength] + frames.map(\.upperBound) }
}
