/// The ten KMS operations EnvelopeKit uses, as one narrow, `Sendable` contract.
///
/// Implementations: the in-process local KMS (`EnvelopeLocalKMS`) and the AWS wire protocol over
/// HTTPS (`EnvelopeKMSHTTP`). Each transport is configured with the identity it calls as (a
/// principal and its credentials) and a Region: bare key IDs and `alias/…` names in requests
/// resolve in that principal's account and that Region.
///
/// Errors answered by the service are thrown as `KMSError` (its `code` is the KMS error code);
/// transports may throw other errors for failures below the service (network, configuration).
/// A dry run that would succeed throws `KMSError` with code `DryRunOperationException`, as AWS does.
public protocol KMSTransport: Sendable {
    /// The Region this transport's requests go to.
    var region: AWSRegion { get }

    /// `GenerateDataKey`: a data key in plaintext and encrypted under the key.
    func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse
    /// `GenerateDataKeyWithoutPlaintext`: only the encrypted data key.
    func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse
    /// `Encrypt`: encrypts up to 4096 bytes under the key.
    func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse
    /// `Decrypt`: decrypts a ciphertext blob made by Encrypt or GenerateDataKey, or (with the
    /// request's encryption algorithm) one made with an RSA key pair's public key.
    func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse
    /// `ReEncrypt`: decrypts under the source key and encrypts under the destination key inside KMS.
    func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse
    /// `DescribeKey`: the key's metadata (its ARN, state, spec).
    func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse
    /// `GetPublicKey`: the public half of an asymmetric key (DER SubjectPublicKeyInfo), its spec,
    /// usage and encryption algorithms.
    func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse
    /// `CreateGrant`: lets a grantee principal use the key for some operations.
    func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse
    /// `ListGrants`: the grants on a key.
    func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse
    /// `RevokeGrant`: deletes a grant.
    func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse
}

/// The KMS operation names, as used in `X-Amz-Target: TrentService.<name>` and in `kms:<name>` actions.
public enum KMSOperationName: String, Sendable, CaseIterable {
    /// GenerateDataKey.
    case generateDataKey = "GenerateDataKey"
    /// GenerateDataKeyWithoutPlaintext.
    case generateDataKeyWithoutPlaintext = "GenerateDataKeyWithoutPlaintext"
    /// Encrypt.
    case encrypt = "Encrypt"
    /// Decrypt.
    case decrypt = "Decrypt"
    /// ReEncrypt.
    case reEncrypt = "ReEncrypt"
    /// DescribeKey.
    case describeKey = "DescribeKey"
    /// GetPublicKey.
    case getPublicKey = "GetPublicKey"
    /// CreateGrant.
    case createGrant = "CreateGrant"
    /// ListGrants.
    case listGrants = "ListGrants"
    /// RevokeGrant.
    case revokeGrant = "RevokeGrant"
    // The administration operations (`KMSAdministrationTransport`).
    /// CreateKey.
    case createKey = "CreateKey"
    /// CreateAlias.
    case createAlias = "CreateAlias"
    /// ListKeys.
    case listKeys = "ListKeys"
    /// ListAliases.
    case listAliases = "ListAliases"
    /// GetKeyPolicy.
    case getKeyPolicy = "GetKeyPolicy"
    /// PutKeyPolicy.
    case putKeyPolicy = "PutKeyPolicy"
    /// EnableKey.
    case enableKey = "EnableKey"
    /// DisableKey.
    case disableKey = "DisableKey"
    /// ScheduleKeyDeletion.
    case scheduleKeyDeletion = "ScheduleKeyDeletion"
    /// CancelKeyDeletion.
    case cancelKeyDeletion = "CancelKeyDeletion"
    /// RetireGrant.
    case retireGrant = "RetireGrant"
    /// ReplicateKey.
    case replicateKey = "ReplicateKey"
}
