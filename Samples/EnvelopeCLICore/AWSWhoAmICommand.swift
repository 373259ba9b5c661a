import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSHTTP
import Foundation
import Logging

/// `envelope aws …`: what the AWS side of `--kms aws` sees.
struct AWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Inspect the AWS credentials and Region that --kms aws uses.",
        subcommands: [AWSWhoAmI.self])
}

/// `envelope aws whoami`: STS GetCallerIdentity with the credential chain `--kms aws` uses.
struct AWSWhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Print the AWS account, caller ARN, credential source and Region that --kms aws would use.",
        discussion: """
            Finds credentials as --kms aws does (environment, web identity, the profile in the shared
            files, container credentials, EC2 instance metadata), calls STS GetCallerIdentity, and prints
            JSON: Account, Arn, UserId, CredentialSource, Region, RegionSource. STS is reached at
            AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL when set.

            \(HelpText.exitCodes)
            """)

    @Option(name: .customLong("profile"), help: ArgumentHelp("The profile to use (that profile only). Env: AWS_PROFILE.", valueName: "NAME"))
    var profile: String?

    @Option(name: .customLong("region"), help: ArgumentHelp("The Region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, EC2 instance metadata).", valueName: "REGION"))
    var region: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let http = AWSHTTPClient()
        let logger = Logger(label: "envelope.aws", factory: { _ in SwiftLogNoOpLogHandler() })
        let config = AWSSharedConfig(profile: profile, environment: environment)
        let resolved: (region: String, source: AWSRegionResolver.Source)
        if let region {
            resolved = (region, .explicit)
        } else if let found = await AWSRegionResolver.resolve(config, http: http, logger: logger) {
            resolved = found
        } else {
            throw CLIError(.configuration, "no AWS Region: none of --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region or EC2 instance metadata gave one",
                           hint: "pass --region REGION or set AWS_REGION")
        }
        let credentials = AWSCredentialsWiring.provider(profile: profile, environment: environment, http: http)
        let identity: STSCallerIdentity
        do {
            let endpoint = try AWSCredentialEndpoints.standard(config: config).resolve(.sts, resolved.region)
            identity = try await STSCallerIdentity.get(region: resolved.region, endpoint: endpoint, credentials: credentials, http: http, logger: logger)
        } catch {
            throw CLIError.from(error, doing: "STS GetCallerIdentity")
        }
        let current = await credentials.currentSource
        let source = current.map { "\($0)" } ?? "unknown"
        JSONOutput.print(.object([
            ("Account", .string(identity.account)), ("Arn", .string(identity.arn)), ("UserId", .string(identity.userId)),
            ("CredentialSource", .string(source)), ("Region", .string(resolved.region)), ("RegionSource", .string("\(resolved.source)")),
        ]))
    }
}
