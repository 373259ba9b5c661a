import Foundation
import Logging
import Metrics
import RecordsServerKit
import ServiceLifecycle
import Tracing

// records-server [PORT]: the records sample under a ServiceGroup that shuts down gracefully on
// SIGTERM or SIGINT. Logs, metrics and spans go to stderr; stdout says when it listens and when
// it begins shutting down (one line each, for scripts and tests).
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
MetricsSystem.bootstrap(LoggingMetricsFactory(logger: Logger(label: "metrics")))
InstrumentationSystem.bootstrap(LoggingTracer(logger: Logger(label: "traces")))

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let logger = Logger(label: "records-server")
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8080
var server = try await RecordsServer.make(port: port, logger: logger)
server.onRunning = { say("listening on 127.0.0.1:\($0)") }
server.onShutdown = { say("shutting down") }
let group = ServiceGroup(configuration: .init(services: server.services(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
try await group.run()
say("stopped")
