import EnvelopeKMS
import EnvelopeSigV4
import EnvelopeLocalKMS
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The local KMS served over the AWS KMS wire protocol on 127.0.0.1 (Hummingbird), so that our HTTP
/// transport, boto3 and the AWS CLI can use it as they use AWS KMS (`--endpoint-url http://127.0.0.1:PORT`).
///
/// A `Service` (swift-service-lifecycle): run it in your `ServiceGroup`; on graceful shutdown it
/// stops accepting connections and finishes the requests in flight before ``run()`` returns.
/// Standalone, ``run(onRunning:)`` and ``start()`` serve until SIGTERM/SIGINT or cancellation.
/// Needs macOS 14 (Hummingbird 2); the rest of EnvelopeKit needs macOS 13.
@available(macOS 14, iOS 17, tvOS 17, *)
public struct LocalKMSServer: Sendable, Service {
    /// The request handler (signature checks, principal mapping, operations).
    public let handler: LocalKMSWireHandler
    /// Listening host (default `127.0.0.1`: the server is meant for this machine only).
    public let host: String
    /// Listening port; 0 picks a free port, reported to `onRunning`.
    public let port: Int
    /// Largest accepted request body.
    public let maxRequestBytes: Int
    let logger: Logger
    /// Called with the bound port once the server listens, when run as a `Service` (``run()``).
    public var onRunning: @Sendable (Int) async -> Void = { _ in }
    /// Tests: awaited at the start of every request (to hold one in flight).
    var requestGate: (@Sendable () async -> Void)?

    /// Creates a server for `kms`.
    /// `acceptsViaServiceHeader` lets requests set `kms:ViaService` (`LocalKMSWireHandler.viaServiceHeader`).
    public init(kms: LocalKMS, host: String = "127.0.0.1", port: Int = 0, region: AWSRegion? = nil,
                maxRequestBytes: Int = 1 << 20, acceptsViaServiceHeader: Bool = false, logger: Logger = LocalKMS.silentLogger) {
        handler = LocalKMSWireHandler(kms: kms, region: region, acceptsViaServiceHeader: acceptsViaServiceHeader, logger: logger)
        self.host = host
        self.port = port
        self.maxRequestBytes = maxRequestBytes
        self.logger = logger
    }

    /// Serves until the task is cancelled (or SIGTERM/SIGINT); `onRunning` receives the bound port.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Serves as a service of the enclosing `ServiceGroup` until its graceful shutdown (then drains
    /// the requests in flight) or cancellation; ``onRunning`` receives the bound port.
    public func run() async throws {
        try await application(onRunning: onRunning).run()
    }

    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let handler = self.handler
        let maxBytes = maxRequestBytes
        let gate = requestGate
        router.post("/") { request, _ -> Response in
            await gate?()
            return try await Self.respond(to: request, handler: handler, maxBytes: maxBytes)
        }
        router.post("**") { request, _ -> Response in
            await gate?()
            return try await Self.respond(to: request, handler: handler, maxBytes: maxBytes)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "EnvelopeKit-LocalKMS"),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? 0)
            },
            logger: logger)
    }

    /// Starts serving in a background task and returns once the port is bound.
    public func start() async throws -> RunningLocalKMSServer {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            do {
                try await run { port in continuation.yield(port) }
            } catch {
                continuation.finish()
                throw error
            }
            continuation.finish()
        }
        for await port in stream {
            return RunningLocalKMSServer(port: port, host: host, task: task)
        }
        _ = try await task.value
        throw LocalKMSServerError(message: "the local KMS server stopped before it was listening on \(host):\(port); is the port free?")
    }

    static func respond(to request: Request, handler: LocalKMSWireHandler, maxBytes: Int) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBytes)
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        for field in request.headers { headers.append((field.name.rawName, field.value)) }
        var query: [(name: String, value: String)] = []
        if let raw = request.uri.query, !raw.isEmpty {
            for item in raw.split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((Self.decode(String(pair[0])), Self.decode(pair.count > 1 ? String(pair[1]) : "")))
            }
        }
        let wire = SigV4Request(
            method: request.method.rawValue, path: Self.decode(request.uri.path), query: query, headers: headers,
            body: Array(buffer.readableBytesView))
        let answer = await handler.handle(wire)
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func decode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}

/// A server started with `LocalKMSServer.start()`.
public struct RunningLocalKMSServer: Sendable {
    /// The bound port.
    public let port: Int
    /// The listening host.
    public let host: String
    let task: Task<Void, any Error>

    /// `http://127.0.0.1:PORT`, the endpoint URL for clients.
    public var url: URL { URL(string: "http://\(host):\(port)")! }

    /// Stops the server (gracefully) and waits for it to finish.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// The server could not start.
public struct LocalKMSServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public let message: String
    /// The message.
    public var description: String { message }
}
