import ArgumentParser
import Foundation

/// `envelope kms init`: creates an empty local KMS state directory. Besides `kms create-key`, the
/// only command that creates state; every other command refuses a missing one.
struct KMSInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the local KMS state directory (mode 0700) if it does not exist; prints {\"StateDirectory\": DIR}.",
        discussion: "Local KMS only. `kms create-key` also creates it; every other command refuses a missing state directory, so a mistyped --kms-state is an error, not a new empty KMS.")

    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        KMSBackend.mayCreateLocalState = true
        let kms = try KMSAdmin.local(backend, command: "init")
        JSONOutput.print(.object([("StateDirectory", .string(kms.stateDirectory ?? ""))]))
    }
}
