import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A scripted HTTP server on 127.0.0.1 (free port) for fault tests: each request takes the next
/// behaviour of the script (the last one repeats) — answer, reset the connection, or stall.
final class FaultServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case answer(status: Int, headers: [(String, String)], body: String)
        case reset
        case stall
        /// Decided per request from its headers (e.g. a fake that checks `X-Amz-Date`).
        case decide(@Sendable (HTTPHeaders) -> Behaviour)

        static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Behaviour {
            .answer(status: status, headers: [("Content-Type", "application/x-amz-json-1.1")] + headers, body: body)
        }
        static func error(_ status: Int, _ type: String, _ message: String = "scripted failure") -> Behaviour {
            .json(status, #"{"__type":"\#(type)","message":"\#(message)"}"#)
        }
    }

    private let lock = NSLock()
    private var script: [Behaviour]
    private var served = 0
    private var connections = 0
    private var targets: [String] = []
    private let group: MultiThreadedEventLoopGroup
    private var channel: (any Channel)?

    /// Connections accepted so far.
    var connectionCount: Int { lock.withLock { connections } }
    /// Requests received so far.
    var requestCount: Int { lock.withLock { served } }
    /// `X-Amz-Target` of each request.
    var receivedTargets: [String] { lock.withLock { targets } }
    /// `http://127.0.0.1:<port>`.
    private(set) var url = URL(string: "http://127.0.0.1")!

    init(script: [Behaviour]) throws {
        self.script = script
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.lock.withLock { self.connections += 1 }
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: self))
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        self.channel = channel
        url = URL(string: "http://127.0.0.1:\(channel.localAddress!.port!)")!
    }

    func next(target: String) -> Behaviour {
        lock.withLock {
            let behaviour = script[min(served, script.count - 1)]
            served += 1
            targets.append(target)
            return behaviour
        }
    }

    func shutdown() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: FaultServer
        var target = ""
        var headers = HTTPHeaders()

        init(server: FaultServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                target = head.headers["X-Amz-Target"].first ?? ""
                headers = head.headers
            case .body:
                break
            case .end:
                var behaviour = server.next(target: target)
                if case .decide(let decide) = behaviour { behaviour = decide(headers) }
                switch behaviour {
                case .decide:
                    context.close(promise: nil)
                case .reset:
                    context.close(promise: nil)
                case .stall:
                    break
                case .answer(let status, let headers, let body):
                    var responseHeaders = HTTPHeaders(headers)
                    responseHeaders.add(name: "Content-Length", value: String(body.utf8.count))
                    let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
                    context.write(wrapOutboundOut(.head(head)), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
