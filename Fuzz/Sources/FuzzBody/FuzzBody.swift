// libFuzzer target: header + body/frame decoder + footer (BodyCodec/FooterCodec), no keys.
@_spi(Fuzzing) import EnvelopeCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let outcome = try EnvelopeFuzzing.walkMessage(bytes)
        if case .parsed(_, complete: true) = outcome, !bytes.isEmpty {
            // Dropping the last byte of a complete message must never leave it complete.
            let cut = try? EnvelopeFuzzing.walkMessage(Array(bytes.dropLast()))
            if case .parsed(_, complete: true)? = cut { fatalError("a truncated message still walks as complete") }
        }
    } catch is EnvelopeError {
        return 0
    } catch {
        fatalError("the body decoder threw a non-EnvelopeError: \(error)")
    }
    return 0
}

@_cdecl("FuzzBody_main")
public func fuzzBodyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc: argc, argv: argv) { data, size in fuzzBody(data ?? UnsafePointer(bitPattern: 1)!, size) }
}
