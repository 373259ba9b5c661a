/// `--verbose`: whether details (retries, the full cause of an error) go to stderr.
enum CLIVerbosity {
    nonisolated(unsafe) private static var on = false

    /// Set once, by the command's options, before any work starts.
    static func enable(_ value: Bool) { if value { on = true } }

    /// Whether `--verbose` was given.
    static var enabled: Bool { on }

    /// Writes `envelope: TEXT` to stderr when `--verbose` was given.
    static func log(_ text: @autoclosure () -> String) {
        guard on else { return }
        StandardStreams.printStderr("envelope: \(text())\n")
    }
}
