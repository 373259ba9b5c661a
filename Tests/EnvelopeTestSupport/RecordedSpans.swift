import InMemoryTracing
import Tracing

/// Everything a tracer was told about finished spans, as text (names, attributes, status, events),
/// for scanning for secrets: whatever an exporter could send must pass the scan.
public func recordedText(of spans: [FinishedInMemorySpan]) -> String {
    spans.map { span in
        var lines = ["span \(span.operationName) kind=\(span.kind)"]
        span.attributes.forEach { name, value in lines.append("  \(name)=\(value)") }
        if let status = span.status { lines.append("  status=\(status.code) \(status.message ?? "")") }
        for event in span.events { lines.append("  event \(event.name) \(event.attributes)") }
        for error in span.errors { lines.append("  error \(error.error)") }
        return lines.joined(separator: "\n")
    }.joined(separator: "\n")
}

extension FinishedInMemorySpan {
    /// The string value of attribute `name`, nil when absent or not a string.
    public func string(_ name: String) -> String? {
        if case .string(let value)? = attributes.get(name) { return value }
        return nil
    }

    /// The integer value of attribute `name`, nil when absent or not an integer.
    public func int(_ name: String) -> Int64? {
        switch attributes.get(name) {
        case .int64(let value)?: return value
        case .int32(let value)?: return Int64(value)
        default: return nil
        }
    }
}
