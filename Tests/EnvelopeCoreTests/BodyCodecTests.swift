import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Body and footer codec")
struct BodyCodecTests {
    @Test("frame prefix layout: regular and final frames, IV = sequence number")
    func layout() {
        var buffer = [UInt8](repeating: 0xAA, count: 100)
        let regular = buffer.withUnsafeMutableBytes { BodyCodec.writeFramePrefix(sequence: 0x01020304, isFinal: false, contentLength: 10, into: $0) }
        #expect(Array(buffer[0..<4]) == [1, 2, 3, 4])
        #expect(Array(buffer[4..<16]) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
        #expect(regular.iv == 4..<16 && regular.ciphertext == 16..<26 && regular.tag == 26..<42)
        #expect(regular.size == FrameEncryptor.frameSize(contentLength: 10, isFinal: false))
        let final = buffer.withUnsafeMutableBytes { BodyCodec.writeFramePrefix(sequence: 7, isFinal: true, contentLength: 3, into: $0) }
        #expect(Array(buffer[0..<8]) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 7])
        #expect(Array(buffer[20..<24]) == [0, 0, 0, 3])
        #expect(final.size == FrameEncryptor.frameSize(contentLength: 3, isFinal: true))
    }

    @Test("parseFrame: nil for every incomplete prefix, the frame when complete, errors as soon as a field is wrong")
    func parseFrame() throws {
        var frame = [UInt8](repeating: 0, count: BodyCodec.finalFrameOverhead + 5)
        _ = frame.withUnsafeMutableBytes { BodyCodec.writeFramePrefix(sequence: 3, isFinal: true, contentLength: 5, into: $0) }
        for cut in 0..<frame.count {
            let prefix = Array(frame[0..<cut])
            #expect(try prefix.withUnsafeBytes { try BodyCodec.parseFrame($0, frameLength: 8, expectedSequence: 3) } == nil)
        }
        let view = try frame.withUnsafeBytes { try BodyCodec.parseFrame($0, frameLength: 8, expectedSequence: 3) }
        #expect(view?.isFinal == true && view?.ciphertext.count == 5 && view?.wireLength == frame.count)
        // Wrong sequence number: refused after 8 bytes, before the rest arrives.
        let head = Array(frame[0..<8])
        #expect(throws: EnvelopeError.self) { try head.withUnsafeBytes { try BodyCodec.parseFrame($0, frameLength: 8, expectedSequence: 4) } }
        // A final frame longer than the frame length: refused once its length is read.
        #expect(throws: EnvelopeError.self) { try frame.withUnsafeBytes { try BodyCodec.parseFrame($0, frameLength: 4, expectedSequence: 3) } }
        // A full-length final frame is accepted.
        #expect(try frame.withUnsafeBytes { try BodyCodec.parseFrame($0, frameLength: 5, expectedSequence: 3) } != nil)
    }

    @Test("non-framed body and footer parsing")
    func nonFramedAndFooter() throws {
        var body = [UInt8](repeating: 1, count: 12)
        body.appendUInt64(4)
        body += [9, 9, 9, 9] + [UInt8](repeating: 2, count: 16)
        let view = try body.withUnsafeBytes { try BodyCodec.parseNonFramedBody($0) }
        #expect(view?.ciphertext.count == 4 && view?.wireLength == body.count && view?.sequence == 1)
        #expect(try Array(body.dropLast()).withUnsafeBytes { try BodyCodec.parseNonFramedBody($0) } == nil)
        var huge = [UInt8](repeating: 0, count: 12)
        huge.appendUInt64(1 << 36)
        #expect(throws: EnvelopeError.self) { try huge.withUnsafeBytes { try BodyCodec.parseNonFramedBody($0) } }
        let footer = FooterCodec.serialize(signature: [5, 6, 7])
        #expect(footer == [0, 3, 5, 6, 7])
        #expect(footer.withUnsafeBytes { FooterCodec.parse($0) }?.signature == [5, 6, 7])
        #expect(Array(footer.dropLast()).withUnsafeBytes { FooterCodec.parse($0) } == nil)
    }
}
