#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CrossAccountWalkthroughKit
import Foundation

// cross-account-walkthrough [--work-dir DIR]
// Replays the AWS post's cross-account story on the local KMS, printing each step, the policy
// documents and the outcome. Exit status 0 when every outcome is the one the story expects.
var workDirectory: String?
var arguments = Array(CommandLine.arguments.dropFirst())
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--work-dir":
        guard let value = arguments.first else {
            FileHandle.standardError.write(Data("cross-account-walkthrough: --work-dir needs a directory\n".utf8))
            exit(64)
        }
        arguments.removeFirst()
        workDirectory = value
    case "-h", "--help":
        print("""
            USAGE: cross-account-walkthrough [--work-dir DIR]

            Replays the cross-account key sharing story (owner account 109876543210, external
            account 012345678901) on the embedded local KMS and prints every step, the policy
            documents it used and the outcome. The local KMS state and the files go to DIR
            (default: a temporary directory, removed at the end).
            Exit status: 0 when every outcome is as the story expects, 1 otherwise.
            """)
        exit(0)
    default:
        FileHandle.standardError.write(Data("cross-account-walkthrough: unknown argument \(argument); see --help\n".utf8))
        exit(64)
    }
}
print("Sharing a KMS key between AWS accounts — the story on the local KMS")
let walkthrough = CrossAccountWalkthrough(log: { print($0) })
do {
    let outcomes = try await walkthrough.run(workDirectory: workDirectory)
    exit(outcomes.allSatisfy(\.isAsExpected) ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("cross-account-walkthrough: error: \(error)\n".utf8))
    exit(1)
}
