import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import EnvelopeLocalKMSServer
import Foundation

/// `envelope kms serve`: the local KMS over the AWS KMS wire protocol on 127.0.0.1.
struct KMSServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local KMS over the KMS wire protocol (JSON 1.1 + SigV4) on 127.0.0.1.",
        discussion: """
            Prints one JSON line once listening:
              {"Endpoint":"http://127.0.0.1:PORT","Port":PORT}
            then serves until SIGINT or SIGTERM. Clients sign requests
            (SigV4) with access keys from `envelope kms create-access-key`,
            e.g. envelope encrypt --kms aws --kms-endpoint URL …, or
            aws kms … --endpoint-url URL.
            """)

    @Option(name: .long, help: ArgumentHelp("The port (default 0: any free port, printed).", valueName: "N")) var port: Int = 0
    @Option(name: .long, help: ArgumentHelp("Answer as this Region (default: the Region each request is signed for).", valueName: "R")) var region: String?
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    func run() async throws {
        try caller.validateIfGiven()
        guard (0...65535).contains(port) else { throw CLIError.usage("--port must be between 0 and 65535, not \(port)") }
        var awsRegion: AWSRegion?
        if let region {
            do { awsRegion = try AWSRegion(validating: region) } catch { throw CLIError.usage("--region \(region): \(error.description)") }
        }
        let kms = try KMSAdmin.local(backend, command: "serve")
        let server = LocalKMSServer(kms: kms, port: port, region: awsRegion)
        do {
            try await server.run { bound in
                JSONOutput.printLine(.object([("Endpoint", .string("http://127.0.0.1:\(bound)")), ("Port", .number(Double(bound)))]))
            }
        } catch {
            throw CLIError(.unavailable, "serving the local KMS failed: \(CLIError.oneLine(String(describing: error)))",
                           hint: "choose another --port (or 0 for any free port)")
        }
    }
}

extension JSONOutput {
    /// Prints a compact JSON value on one line.
    static func printLine(_ value: JSONValue) {
        StandardStreams.printStdout(value.rendered(indent: nil) + "\n")
    }
}
