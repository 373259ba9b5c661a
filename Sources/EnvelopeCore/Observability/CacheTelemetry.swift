/// Turns a ``LocalMaterialsCache``'s counters into metrics: each change of its statistics is
/// reported as the increase of each counter since the last report (documented in
/// EnvelopeCore.docc "Observability"). Used only inside the cache actor, so never concurrently.
final class CacheTelemetry: @unchecked Sendable {
    static let hits = "cache_hits_total"
    static let misses = "cache_misses_total"
    static let bypasses = "cache_bypasses_total"
    static let evictions = "cache_evictions_total"
    static let entries = "cache_entries"

    private let telemetry: EnvelopeTelemetry
    private var reported = MaterialsCacheStatistics()
    private var reportedEntries: Int?

    init(_ telemetry: EnvelopeTelemetry) { self.telemetry = telemetry }

    /// Reports what grew since the last call.
    func statistics(_ now: MaterialsCacheStatistics) {
        if now.hits > reported.hits { telemetry.count(Self.hits, by: Int64(now.hits - reported.hits), []) }
        report(Self.misses, now.missReasons, reported.missReasons)
        report(Self.bypasses, now.bypasses, reported.bypasses)
        report(Self.evictions, now.evictions, reported.evictions)
        reported = now
    }

    /// Sets the entry-count gauge when it changed.
    func entries(_ count: Int) {
        guard count != reportedEntries else { return }
        reportedEntries = count
        telemetry.gauge(Self.entries, count)
    }

    private func report<Reason: CustomStringConvertible>(_ name: String, _ now: [Reason: Int], _ before: [Reason: Int]) {
        for (reason, value) in now where value > before[reason, default: 0] {
            telemetry.count(name, by: Int64(value - before[reason, default: 0]), [("reason", reason.description)])
        }
    }
}
