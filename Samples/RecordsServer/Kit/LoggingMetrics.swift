import Foundation
import Logging
import Metrics

/// A swift-metrics backend that writes every update as a log line (`metric <label>{dims} <value>`):
/// the sample's stand-in for Prometheus or StatsD, so that its metrics are visible without one.
public struct LoggingMetricsFactory: MetricsFactory {
    let logger: Logger

    /// Writes metric updates to `logger` at info level.
    public init(logger: Logger) { self.logger = logger }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        Handler(name: Self.name(label, dimensions), kind: "counter", logger: logger)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        Handler(name: Self.name(label, dimensions), kind: aggregate ? "recorder" : "gauge", logger: logger)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        Handler(name: Self.name(label, dimensions), kind: "timer", logger: logger)
    }

    public func destroyCounter(_ handler: CounterHandler) {}
    public func destroyRecorder(_ handler: RecorderHandler) {}
    public func destroyTimer(_ handler: TimerHandler) {}

    static func name(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.isEmpty ? label : label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    final class Handler: CounterHandler, RecorderHandler, TimerHandler, @unchecked Sendable {
        let name: String
        let kind: String
        let logger: Logger
        init(name: String, kind: String, logger: Logger) {
            self.name = name
            self.kind = kind
            self.logger = logger
        }
        func increment(by amount: Int64) { logger.info("metric \(kind) \(name) +\(amount)") }
        func reset() {}
        func record(_ value: Int64) { logger.info("metric \(kind) \(name) \(value)") }
        func record(_ value: Double) { logger.info("metric \(kind) \(name) \(value)") }
        func recordNanoseconds(_ duration: Int64) { logger.info("metric \(kind) \(name) \(Double(duration) / 1e6) ms") }
    }
}
