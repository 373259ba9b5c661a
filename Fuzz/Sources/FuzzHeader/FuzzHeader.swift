// libFuzzer target: the message header parser, through the public one-shot decrypt (the keyring
// it reaches decrypts nothing). No keys.
import EnvelopeCore
import FuzzSupport

private let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
private let limited = try! EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt, maxEncryptedDataKeys: 1)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    runBlocking {
        do {
            guard let edks = try await HeaderProbe.parse(bytes, client: client) else { return }
            // The EDK limit never makes a header parse differently, only refuses it.
            do {
                let again = try await HeaderProbe.parse(bytes, client: limited)
                precondition(edks <= 1 && again == edks, "the EDK limit changed how the header parsed")
            } catch let error as EnvelopeError {
                precondition(edks > 1 && error.code == .tooManyEncryptedDataKeys, "the EDK limit refused a header it allows: \(error)")
            }
        } catch is EnvelopeError {
            return
        } catch {
            fatalError("the header parser threw a non-EnvelopeError: \(error)")
        }
    }
    return 0
}

@_cdecl("FuzzHeader_main")
public func fuzzHeaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc: argc, argv: argv) { data, size in fuzzHeader(data ?? UnsafePointer(bitPattern: 1)!, size) }
}
