import CoreMetrics
import Tracing

/// Where EnvelopeKit reports metrics (swift-metrics) and spans (swift-distributed-tracing), and
/// the prefix of its metric labels.
///
/// By default a component uses the process's bootstrapped backends (`MetricsSystem`,
/// `InstrumentationSystem`), read **once, when the component is created** (an ``EnvelopeClient``,
/// a ``LocalMaterialsCache``, an AWS HTTP client): bootstrap the backends at start-up, before
/// creating them, as swift-metrics itself requires. When no backend was bootstrapped (the no-op
/// defaults) a component records nothing at all: no metric objects, no spans, no clock reads.
///
/// Metric and span names: the EnvelopeCore documentation, "Observability". Spans and metric
/// dimensions carry names, identifiers, sizes and error codes; never key material or data.
public struct EnvelopeObservability: Sendable {
    /// Prepended to every metric label (default `envelopekit_`), e.g. `envelopekit_messages_total`.
    public var labelPrefix: String
    /// The metrics backend; nil: `MetricsSystem.factory` at the time a component is created.
    public var metricsFactory: (any MetricsFactory)?
    /// The tracer; nil: `InstrumentationSystem.tracer` at the time a component is created.
    public var tracer: (any Tracer)?

    /// The default label prefix.
    public static let defaultLabelPrefix = "envelopekit_"

    /// Reports to the bootstrapped backends with the default label prefix.
    public static var `default`: EnvelopeObservability { EnvelopeObservability() }

    /// Reports to `metricsFactory` and `tracer` (nil: the bootstrapped ones) with `labelPrefix`.
    public init(labelPrefix: String = EnvelopeObservability.defaultLabelPrefix, metricsFactory: (any MetricsFactory)? = nil,
                tracer: (any Tracer)? = nil) {
        self.labelPrefix = labelPrefix
        self.metricsFactory = metricsFactory
        self.tracer = tracer
    }

    /// The metrics backend to record to, or nil when it is swift-metrics' no-op one.
    public var activeMetricsFactory: (any MetricsFactory)? {
        let factory = metricsFactory ?? MetricsSystem.factory
        return factory is NOOPMetricsHandler ? nil : factory
    }

    /// The tracer to record to, or nil when it is swift-distributed-tracing's no-op one.
    public var activeTracer: (any Tracer)? {
        let tracer = tracer ?? InstrumentationSystem.tracer
        return tracer is NoOpTracer ? nil : tracer
    }

    /// The full label of metric `name`.
    public func label(_ name: String) -> String { labelPrefix + name }
}

/// The `outcome` dimension of a failed operation: the error's stable code when it has one
/// (``EnvelopeError/code``, a KMS error code), else its type name. Never the message text.
public protocol ObservableErrorCode {
    /// A short, stable, non-secret name of what failed (e.g. `AccessDeniedException`, `authentication_failed`).
    var observableCode: String { get }
}

extension EnvelopeObservability {
    /// The `outcome` dimension value for `error` (see ``ObservableErrorCode``).
    public static func outcome(of error: any Error) -> String {
        if let coded = error as? any ObservableErrorCode { return coded.observableCode }
        if error is CancellationError { return "cancelled" }
        return String(describing: type(of: error))
    }
}
