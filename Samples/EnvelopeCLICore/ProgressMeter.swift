import Foundation

/// Counts the input bytes processed so far (shared by concurrent jobs).
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var done: Int64 = 0
    /// The total input size when known (files), nil for stdin.
    let total: Int64?

    init(total: Int64?) { self.total = total }

    func add(_ count: Int) { lock.withLock { done += Int64(count) } }

    var processed: Int64 { lock.withLock { done } }
}

/// Draws a one-line progress bar on stderr (bytes, rate, ETA) while a long job runs.
///
/// Drawn only when stderr is a terminal and `--quiet` was not given, and only once the job has
/// run for `delay` seconds (so quick jobs print nothing); the line is cleared at the end.
final class ProgressBar: @unchecked Sendable {
    private let meter: ProgressMeter
    private let label: String
    private let delay: Double
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var drawn = false
    private let startedAt = Date()

    /// The delay before the first drawing: `ENVELOPE_PROGRESS_DELAY` seconds if set, else 1 s.
    static var configuredDelay: Double {
        ProcessInfo.processInfo.environment["ENVELOPE_PROGRESS_DELAY"].flatMap(Double.init) ?? 1.0
    }

    init(meter: ProgressMeter, label: String, delay: Double = ProgressBar.configuredDelay) {
        self.meter = meter
        self.label = label
        self.delay = delay
    }

    /// Starts redrawing in the background.
    func start() {
        task = Task { [weak self] in
            guard let self else { return }
            let first = UInt64(max(self.delay, 0) * 1_000_000_000)
            if first > 0 { try? await Task.sleep(nanoseconds: first) }
            while !Task.isCancelled {
                self.draw()
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
    }

    /// Stops redrawing. A job that ran at least `delay` seconds ends with its final line (100%)
    /// left on the terminal; a quicker one prints nothing.
    func finish() async {
        task?.cancel()
        await task?.value
        let elapsed = Date().timeIntervalSince(startedAt)
        if elapsed >= delay {
            draw()
            StandardStreams.printStderr("\n")
        } else if lock.withLock({ drawn }) {
            StandardStreams.printStderr("\r\u{1B}[2K")
        }
    }

    private func draw() {
        let line = ProgressBar.render(label: label, done: meter.processed, total: meter.total, elapsed: Date().timeIntervalSince(startedAt))
        lock.withLock {
            drawn = true
            StandardStreams.printStderr("\r\u{1B}[2K" + line)
        }
    }

    /// The text of the bar, e.g. `encrypting  42% [########··········] 12.0 MiB / 28.6 MiB  95.2 MiB/s  ETA 0:02`.
    static func render(label: String, done: Int64, total: Int64?, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var line = label
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 20
            let filled = Int(fraction * Double(width))
            line += String(format: " %3d%% ", Int(fraction * 100))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled) + "] "
            line += "\(bytes(done)) / \(bytes(total))  \(bytes(Int64(rate)))/s"
            if rate > 0 {
                let remaining = Double(total - done) / rate
                line += "  ETA \(clock(remaining))"
            } else {
                line += "  ETA --:--"
            }
        } else {
            line += " \(bytes(done))  \(bytes(Int64(rate)))/s"
        }
        return line
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
