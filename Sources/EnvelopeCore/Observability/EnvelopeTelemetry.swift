import CoreMetrics
import Tracing

/// The resolved form of an ``EnvelopeObservability`` that a component keeps: nil when neither a
/// metrics backend nor a tracer is active, so that the no-backend case costs one nil check.
/// Shared by EnvelopeKit's modules (messages, cache, AWS calls, credentials).
package struct EnvelopeTelemetry: Sendable {
    package let metrics: (any MetricsFactory)?
    package let tracer: (any Tracer)?
    package let labelPrefix: String

    /// Nil when `observability` resolves to the no-op metrics backend and the no-op tracer.
    package init?(_ observability: EnvelopeObservability) {
        metrics = observability.activeMetricsFactory
        tracer = observability.activeTracer
        labelPrefix = observability.labelPrefix
        if metrics == nil && tracer == nil { return nil }
    }

    /// Adds `amount` to counter `name` (prefixed) with `dimensions`.
    package func count(_ name: String, by amount: Int64 = 1, _ dimensions: [(String, String)]) {
        guard let metrics else { return }
        Counter(label: labelPrefix + name, dimensions: dimensions, factory: metrics).increment(by: amount)
    }

    /// Records the time since `start` in timer `name` (prefixed).
    package func time(_ name: String, since start: ContinuousClock.Instant, _ dimensions: [(String, String)]) {
        guard let metrics else { return }
        let elapsed = ContinuousClock.now - start
        let nanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: labelPrefix + name, dimensions: dimensions, factory: metrics).recordNanoseconds(nanos)
    }

    /// Sets gauge `name` (prefixed) to `value`.
    package func gauge(_ name: String, _ value: Int, _ dimensions: [(String, String)] = []) {
        guard let metrics else { return }
        Gauge(label: labelPrefix + name, dimensions: dimensions, factory: metrics).record(value)
    }

    /// Runs `body` in a span named `name` (when a tracer is active; else `body(nil)`), the span being
    /// a child of the caller's task's `ServiceContext` and the current context inside `body`. On
    /// failure the span's status is an error with the attribute `error.type` = the error's code (the
    /// error's text is not recorded: it is the caller's to show).
    package func withSpan<T>(_ name: String, kind: SpanKind, attributes: SpanAttributes,
                             _ body: (_ span: (any Span)?) async throws -> T) async throws -> T {
        guard let span = startSpan(name, kind: kind, attributes: attributes) else { return try await body(nil) }
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            Self.markFailed(span, outcome: EnvelopeObservability.outcome(of: error))
            throw error
        }
    }

    /// Starts a span named `name` with `attributes`, a child of the caller's task's
    /// `ServiceContext`; nil when no tracer is active. The caller ends it.
    package func startSpan(_ name: String, kind: SpanKind, attributes: SpanAttributes) -> (any Span)? {
        guard let tracer else { return nil }
        let span = Self.start(tracer, name, kind)
        span.attributes = attributes
        return span
    }

    /// Marks `span` failed: status error and the attribute `error.type` = `outcome` (an error
    /// code, never an error's text).
    package static func markFailed(_ span: any Span, outcome: String) {
        span.attributes["error.type"] = outcome
        span.setStatus(SpanStatus(code: .error))
    }

    private static func start<Tr: Tracer>(_ tracer: Tr, _ name: String, _ kind: SpanKind) -> any Span {
        tracer.startSpan(name, context: ServiceContext.current ?? .topLevel, ofKind: kind)
    }
}
