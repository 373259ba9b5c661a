import Foundation
import Logging

/// The answer of `sts:GetCallerIdentity`: who the credentials belong to.
public struct STSCallerIdentity: Sendable, Equatable {
    /// The 12-digit account ID.
    public let account: String
    /// The caller's ARN (user, assumed role, …).
    public let arn: String
    /// The unique ID of the caller.
    public let userId: String

    /// Calls GetCallerIdentity (query protocol, SigV4 `sts`) at `endpoint` in `region` with `credentials`.
    public static func get(region: String, endpoint: URL, credentials: any AWSCredentialsProvider, http: AWSHTTPClient,
                           logger: Logger) async throws -> STSCallerIdentity {
        let response = try await http.send(
            operation: "STS.GetCallerIdentity",
            url: endpoint,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8),
            signer: SigV4Signer(region: region, service: "sts"),
            credentials: credentials,
            logger: logger)
        let text = String(decoding: response.body, as: UTF8.self)
        guard let account = AWSErrorResponse.xmlElement("Account", in: text), let arn = AWSErrorResponse.xmlElement("Arn", in: text) else {
            throw AWSTransportError(operation: "STS.GetCallerIdentity", url: endpoint.absoluteString,
                                    detail: .malformedResponse(status: response.status, what: "has no Account and Arn"))
        }
        return STSCallerIdentity(account: account, arn: arn, userId: AWSErrorResponse.xmlElement("UserId", in: text) ?? "")
    }
}
