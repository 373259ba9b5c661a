import EnvelopeCore

/// Traps unless two decrypt paths over the same bytes agree: the same plaintext, or both an
/// ``EnvelopeError``.
public func requireAgreement(_ first: Result<[UInt8], any Error>, _ second: Result<[UInt8], any Error>, _ names: (String, String)) {
    switch (first, second) {
    case (.success(let x), .success(let y)):
        precondition(x == y, "the \(names.0) and \(names.1) decrypts produced different plaintexts")
    case (.failure(let e), .failure(let f)):
        guard e is EnvelopeError, f is EnvelopeError else { fatalError("decrypt threw a non-EnvelopeError: \(e) / \(f)") }
    case (.success, .failure(let f)):
        fatalError("the \(names.0) decrypt succeeded but the \(names.1) decrypt failed: \(f)")
    case (.failure(let e), .success):
        fatalError("the \(names.1) decrypt succeeded but the \(names.0) decrypt failed: \(e)")
    }
}
