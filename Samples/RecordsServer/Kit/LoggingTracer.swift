import Foundation
import Logging
import Tracing

/// A tracer that writes each finished span as a log line (name, IDs, parent, duration,
/// attributes): the sample's stand-in for an OpenTelemetry exporter.
public struct LoggingTracer: Tracer {
    let logger: Logger

    /// Writes finished spans to `logger` at info level.
    public init(logger: Logger) { self.logger = logger }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> LoggedSpan {
        let parent = context()
        var own = parent
        let id = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        own[LoggedSpanIDKey.self] = id
        return LoggedSpan(name: operationName, id: id, parentID: parent[LoggedSpanIDKey.self], kind: kind, context: own,
                          start: instant().nanosecondsSinceEpoch, logger: logger)
    }

    public func activeSpan(identifiedBy context: ServiceContext) -> LoggedSpan? { nil }
    public func forceFlush() {}
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {}
    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {}
}

enum LoggedSpanIDKey: ServiceContextKey {
    typealias Value = String
}

/// A span of ``LoggingTracer``.
public final class LoggedSpan: Span, @unchecked Sendable {
    private let lock = NSLock()
    private let id: String
    private let parentID: String?
    private let kind: SpanKind
    private let start: UInt64
    private let logger: Logger
    private var name: String
    private var status: SpanStatus?
    private var storedAttributes: SpanAttributes = [:]
    public let context: ServiceContext

    init(name: String, id: String, parentID: String?, kind: SpanKind, context: ServiceContext, start: UInt64, logger: Logger) {
        self.name = name
        self.id = id
        self.parentID = parentID
        self.kind = kind
        self.context = context
        self.start = start
        self.logger = logger
    }

    public var operationName: String {
        get { lock.withLock { name } }
        set { lock.withLock { name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { lock.withLock { storedAttributes } }
        set { lock.withLock { storedAttributes = newValue } }
    }

    public var isRecording: Bool { true }
    public func setStatus(_ status: SpanStatus) { lock.withLock { self.status = status } }
    public func addEvent(_ event: SpanEvent) {}
    public func addLink(_ link: SpanLink) {}
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        // Only the error's type: an error's text is for the caller to show, not for an exporter.
        lock.withLock { storedAttributes["error.type"] = String(describing: type(of: error)) }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let micros = (instant().nanosecondsSinceEpoch - start) / 1000
        var fields: [String] = []
        attributes.forEach { fields.append("\($0)=\($1)") }
        let statusText = lock.withLock { status.map { " status=\($0.code)" } ?? "" }
        logger.info("span \(operationName) id=\(id) parent=\(parentID ?? "-") kind=\(kind) \(micros)us\(statusText) \(fields.sorted().joined(separator: " "))")
    }
}
