// libFuzzer target: the message header parser (HeaderCodec through the client's limits).
@_spi(Fuzzing) import EnvelopeCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        guard let length = try EnvelopeFuzzing.parseHeader(bytes) else { return 0 }
        // A complete header cut by one byte must read as incomplete, never as another header.
        precondition(length >= 1 && length <= bytes.count, "header length \(length) outside the input")
        let shorter = try EnvelopeFuzzing.parseHeader(Array(bytes[0..<(length - 1)]))
        precondition(shorter == nil, "a truncated header parsed as complete")
        // The EDK limit never makes a valid header parse differently, only refuse it.
        if let limited = try? EnvelopeFuzzing.parseHeader(bytes, maxEncryptedDataKeys: 1) {
            precondition(limited == length, "the EDK limit changed the header length")
        }
    } catch is EnvelopeError {
        return 0
    } catch {
        fatalError("the header parser threw a non-EnvelopeError: \(error)")
    }
    return 0
}

@_cdecl("FuzzHeader_main")
public func fuzzHeaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc: argc, argv: argv) { data, size in fuzzHeader(data ?? UnsafePointer(bitPattern: 1)!, size) }
}
