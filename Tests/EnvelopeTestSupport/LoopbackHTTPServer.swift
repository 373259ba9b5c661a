import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as a loopback fake received it.
public struct RecordedRequest: Sendable {
    /// `GET`, `PUT`, `POST`, …
    public let method: String
    /// The request target: path and query, as sent.
    public let uri: String
    /// Headers, in order.
    public let headers: [(name: String, value: String)]
    /// The complete body.
    public let body: [UInt8]

    /// The path without the query.
    public var path: String { String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    /// The decoded query items.
    public var query: [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: uri)?.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as an `application/x-www-form-urlencoded` form.
    public var form: [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: "?" + text.replacingOccurrences(of: "+", with: "%20"))?.queryItems ?? [] {
            items[item.name] = item.value ?? ""
        }
        return items
    }
}

/// What a loopback fake answers.
public struct CannedResponse: Sendable {
    /// HTTP status.
    public var status: Int
    /// Headers (Content-Length is added).
    public var headers: [(String, String)]
    /// Body.
    public var body: [UInt8]

    /// A response.
    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response.
    public static func text(_ text: String, status: Int = 200) -> CannedResponse {
        CannedResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
    }

    /// A JSON response from a JSON-serializable value.
    public static func json(_ object: Any, status: Int = 200, contentType: String = "application/json") -> CannedResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return CannedResponse(status: status, headers: [("Content-Type", contentType)], body: Array(data))
    }

    /// An XML response.
    public static func xml(_ text: String, status: Int = 200) -> CannedResponse {
        CannedResponse(status: status, headers: [("Content-Type", "text/xml")], body: Array(text.utf8))
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (a free port) that records every request and answers with
/// `handler`; a stand-in for IMDS, the container endpoint, STS, the SSO portal or KMS in tests.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// What the channel handlers share (the server itself is not retained by its channels, so
    /// releasing it shuts it down).
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var recorded: [RecordedRequest] = []
        let handler: @Sendable (RecordedRequest) -> CannedResponse
        init(handler: @escaping @Sendable (RecordedRequest) -> CannedResponse) { self.handler = handler }

        func respond(to request: RecordedRequest) -> CannedResponse {
            lock.withLock { recorded.append(request) }
            return handler(request)
        }
    }

    private let state: State
    private let lock = NSLock()
    private let group: MultiThreadedEventLoopGroup
    private var channel: (any Channel)?
    /// `http://127.0.0.1:<port>`.
    public private(set) var url = URL(string: "http://127.0.0.1")!

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { state.lock.withLock { state.recorded } }

    /// Starts the server.
    public init(handler: @escaping @Sendable (RecordedRequest) -> CannedResponse) throws {
        let state = State(handler: handler)
        self.state = state
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: state))
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        self.channel = channel
        url = URL(string: "http://127.0.0.1:\(channel.localAddress!.port!)")!
    }

    deinit { shutdown() }

    /// Stops the server (idempotent).
    public func shutdown() {
        let open = lock.withLock { () -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        guard let open else { return }
        try? open.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// A URL on 127.0.0.1 where nothing listens (connections are refused at once).
    public static func closedPortURL() throws -> URL {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return URL(string: "http://127.0.0.1:\(port)")!
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(state: State) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let received):
                head = received
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = RecordedRequest(method: head.method.rawValue, uri: head.uri,
                                              headers: head.headers.map { ($0.name, $0.value) }, body: body)
                let response = state.respond(to: request)
                var headers = HTTPHeaders(response.headers)
                headers.add(name: "Content-Length", value: String(response.body.count))
                let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
