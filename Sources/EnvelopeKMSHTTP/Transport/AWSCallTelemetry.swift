import EnvelopeCore
import Tracing

/// Metric and span names of AWS calls (documented in EnvelopeCore.docc "Observability"). Every
/// AWS service client built on ``AWSHTTPClient`` (KMS, STS, and any later one) reports these.
enum AWSCallMetrics {
    static let requests = "aws_requests_total"
    static let duration = "aws_request_duration"
    static let retries = "aws_retries_total"
    static let throttles = "aws_throttles_total"
    static let credentialRefreshes = "credential_refreshes_total"
}

/// What the telemetry of one AWS call needs to know: its service, its operation and the
/// attributes its span carries. Built by the service client (``KMSHTTPTransport`` names the key).
public struct AWSCallDescription: Sendable {
    /// `rpc.service`, e.g. `KMS`.
    public var service: String
    /// `rpc.method`, e.g. `GenerateDataKey`.
    public var method: String
    /// `aws.region`.
    public var region: String
    /// Further span attributes: identifiers such as `aws.kms.key_id`, never request or response data.
    public var attributes: [String: String]

    /// Describes a call.
    public init(service: String, method: String, region: String, attributes: [String: String] = [:]) {
        self.service = service
        self.method = method
        self.region = region
        self.attributes = attributes
    }

    /// Describes a call from what is on the wire, for a caller that passes no description: the
    /// service ID of the SigV4 signing name (`kms` → `KMS`, `dynamodb` → `DynamoDB`, `sts` → `STS`;
    /// see ``AWSServiceID``; another name as it is) and the method from the part of `operation`
    /// after its last `.` (`DynamoDB_20120810.GetItem` → `GetItem`, `TrentService.Decrypt` → `Decrypt`).
    init(operation: String, signer: SigV4Signer) {
        let method = operation.split(separator: ".").last.map(String.init) ?? operation
        let service = AWSServiceID.called.first { $0.signingName == signer.service }?.serviceId ?? signer.service
        self.init(service: service, method: method, region: signer.region)
    }

    /// The span's name, `<service>.<method>` as the AWS SDKs name theirs (e.g. `KMS.GenerateDataKey`).
    var spanName: String { "\(service).\(method)" }

    var spanAttributes: SpanAttributes {
        var result: SpanAttributes = [:]
        result["rpc.system"] = "aws-api"
        result["rpc.service"] = service
        result["rpc.method"] = method
        result["aws.region"] = region
        for (name, value) in attributes { result[name] = value }
        return result
    }
}

/// The telemetry of one call in flight: counts its retries and throttles.
struct AWSCallRecorder {
    let telemetry: EnvelopeTelemetry
    let call: AWSCallDescription

    var dimensions: [(String, String)] { [("service", call.service), ("operation", call.method)] }

    /// An attempt failed with `reason` (an error code or transport failure kind) and will be retried.
    func retrying(after reason: String) {
        telemetry.count(AWSCallMetrics.retries, dimensions + [("reason", reason)])
    }

    /// An attempt was answered with a throttling error.
    func throttled() {
        telemetry.count(AWSCallMetrics.throttles, dimensions)
    }

    /// The call ended (all attempts): its outcome and latency.
    func finished(outcome: String, since start: ContinuousClock.Instant) {
        let dimensions = self.dimensions + [("outcome", outcome)]
        telemetry.count(AWSCallMetrics.requests, dimensions)
        telemetry.time(AWSCallMetrics.duration, since: start, dimensions)
    }
}

extension AWSServiceID {
    /// The services EnvelopeKit calls through ``AWSHTTPClient``.
    static let called: [AWSServiceID] = [.kms, .sts, .sso, .dynamoDB]
}

extension AWSCallError: ObservableErrorCode {
    /// The service's error code (e.g. `AccessDeniedException`), the transport failure kind, or `credentials`.
    public var observableCode: String {
        switch failure {
        case .service(let response): response.code
        case .transport(let error): error.transportFailureKind.rawValue
        case .credentials: "credentials"
        }
    }
}

extension AWSCredentialSource {
    /// A short stable name for the `source` dimension of credential refreshes (no profile names).
    var metricName: String {
        switch self {
        case .explicit: "explicit"
        case .environment: "environment"
        case .webIdentity: "web_identity"
        case .sharedProfile: "shared_profile"
        case .assumeRole: "assume_role"
        case .sso: "sso"
        case .process: "process"
        case .container: "container"
        case .instanceMetadata: "instance_metadata"
        case .chain: "chain"
        }
    }
}

extension AWSCredentialsError: ObservableErrorCode {
    /// The failure's kind, e.g. `notConfigured` or `endpointUnreachable`.
    public var observableCode: String { "\(kind)" }
}
