/// Decides when a growing buffer is worth parsing for the message header, for every caller that
/// receives a message in pieces (files, descriptors, streams).
///
/// Re-parsing from the start after every small piece would cost time quadratic in the header
/// length (a peer sending a 1 MiB header one byte at a time). So after a parse of the first bytes,
/// a parse runs only once the buffer has at least doubled since the last attempt (and grown by at
/// least 4 KiB), at the end of the input, or once the buffer passes the header limit (so an endless header is refused early):
/// O(log n) attempts and O(n) parsing work in all (issue 15, item 6).
struct HeaderReader {
    /// How often the header parser ran (visible to tests).
    private(set) var attempts = 0
    /// Buffer size at the last attempt; -1 before the first.
    private var attemptedAt = -1

    /// Whether parsing `buffered` bytes now can be useful.
    func shouldParse(buffered: Int, inputEnded: Bool, limits: DecryptionLimits) -> Bool {
        inputEnded || attemptedAt < 0
            || (attemptedAt == 0 && buffered > 0)  // the first bytes: a hostile prefix is refused at once
            || buffered - attemptedAt >= Swift.max(4096, attemptedAt)
            || (attemptedAt <= limits.maxHeaderLength && buffered > limits.maxHeaderLength)
    }

    /// Parses `bytes` with the client's limits, counting the attempt.
    mutating func parse(_ bytes: UnsafeRawBufferPointer, client: EnvelopeClient) throws -> HeaderCodec.ParseResult {
        recordAttempt(at: bytes.count)
        return try client.parseHeader(bytes)
    }

    /// Counts an attempt on `buffered` bytes.
    mutating func recordAttempt(at buffered: Int) {
        attempts += 1
        attemptedAt = buffered
    }

    /// The error for an input that ended before its header did, after `received` bytes.
    static func endedInsideHeader(received: Int) -> EnvelopeError {
        received == 0
            ? EnvelopeError(.malformedMessage, "The input is empty; expected an AWS Encryption SDK message.")
            : EnvelopeError.malformed("the message ends inside its header (\(received) bytes)")
    }
}
