@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// STS `AssumeRoleWithWebIdentity` against moto (unsigned call; moto without IAM authentication, as
/// STS itself does not authenticate this call), then `GetCallerIdentity` signed with the result.
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
@Suite("STS web identity against moto")
struct MotoWebIdentityTests {
    static let setup = #"""
iam = boto3.client("iam", **setup)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
out["roleArn"] = iam.create_role(RoleName="irsa-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
"""#

    @Test("AssumeRoleWithWebIdentity (token file from the environment) gives credentials STS accepts")
    func webIdentityAgainstMoto() async throws {
        let peer = try MotoServer.launch(setup: Self.setup)
        defer { peer.stop() }
        let endpoint = try #require(peer.ready["endpoint"] as? String)
        let roleArn = try #require(peer.ready["roleArn"] as? String)
        let box = try CredentialsSandbox()
        defer { box.remove() }
        var environment = box.environment
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = try box.write("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln")
        environment["AWS_ROLE_ARN"] = roleArn
        environment["AWS_ROLE_SESSION_NAME"] = "moto-pod"
        environment["AWS_ENDPOINT_URL_STS"] = endpoint
        environment["AWS_REGION"] = "us-east-1"
        let http = AWSHTTPClient(retryPolicy: .none)
        let chain = AWSCredentialsProviderChain.standard(environment: environment, http: http)
        let credentials = try await chain.credentials(logger: silent)
        #expect(credentials.source == .webIdentity(profile: nil))
        #expect(credentials.sessionToken != nil && credentials.expiration != nil)
        let identity = try await STSCallerIdentity.get(region: "us-east-1", endpoint: try #require(URL(string: endpoint)),
                                                       credentials: StaticCredentialsProvider(credentials), http: http, logger: silent)
        #expect(identity.arn.contains("assumed-role/irsa-role/moto-pod"), "\(identity)")
    }
}
