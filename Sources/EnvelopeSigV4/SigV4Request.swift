/// An HTTP request as seen by the SigV4 signer: method, decoded path and query, headers and body.
///
/// The path and the query items are given *decoded* (`/example space/`, `ሴ=bar`); the signer
/// percent-encodes them itself when it builds the canonical request.
public struct SigV4Request: Sendable {
    /// HTTP method, e.g. `POST`.
    public var method: String
    /// Decoded absolute path, e.g. `/`.
    public var path: String
    /// Decoded query items in request order (duplicates allowed).
    public var query: [(name: String, value: String)]
    /// Headers in request order; names compare case-insensitively, duplicates are allowed.
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]

    /// Creates a request to sign.
    public init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The values of every header named `name` (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// Replaces every header named `name` (case-insensitive) by a single one with `value`.
    public mutating func setHeader(_ name: String, _ value: String) {
        removeHeader(name)
        headers.append((name: name, value: value))
    }

    /// Removes every header named `name` (case-insensitive).
    public mutating func removeHeader(_ name: String) {
        let lowered = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lowered }
    }
}
