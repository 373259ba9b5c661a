import EnvelopeKMS

/// Who makes a request to the local KMS, and where: the principal, the Region the request is
/// sent to, and optionally the AWS service acting on the principal's behalf.
public struct LocalKMSCaller: Sendable, Hashable {
    /// The calling principal (account root, user, role or role session).
    public var principal: AWSPrincipalARN
    /// The Region of the request; bare key IDs and alias names resolve here.
    public var region: AWSRegion
    /// The integrated AWS service calling on the principal's behalf (e.g. `ebs.us-east-1.amazonaws.com`),
    /// which sets `kms:ViaService` and makes `kms:GrantIsForAWSResource` true for grant operations.
    /// `nil` for direct calls, like an Encryption SDK keyring's.
    public var viaService: String?

    /// Creates a caller.
    public init(principal: AWSPrincipalARN, region: AWSRegion = LocalKMS.defaultRegion, viaService: String? = nil) {
        self.principal = principal
        self.region = region
        self.viaService = viaService
    }
}
