import EnvelopeCore
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation

/// Builds the KMS keyrings of `-w key=…` SPECs and of `--discovery`, on the chosen backend.
enum KMSKeyringFactory {
    /// The Region a key identifier names (key ARN or alias ARN), if any.
    static func region(of key: KMSKeyIdentifier) -> AWSRegion? {
        switch key {
        case .keyARN(let arn): arn.region
        case .aliasARN(let arn): arn.region
        case .keyID, .aliasName: nil
        }
    }

    /// Transports per Region on `backend`; `defaultRegion` serves bare key IDs and alias names.
    static func supplier(backend: KMSBackend, defaultRegion: String?, profile: String?, principal: AWSPrincipalARN?) throws(CLIError) -> KMSTransportSupplier {
        var parsed: AWSRegion?
        if let defaultRegion {
            do { parsed = try AWSRegion(validating: defaultRegion) } catch {
                throw .usage("region=\(defaultRegion): \(error.description)", hint: "e.g. region=us-east-1")
            }
        }
        let fallback = parsed
        if case .local = backend, principal == nil {
            throw CLIError(.configuration, "the local KMS needs to know who is calling",
                           hint: "pass --principal ARN (e.g. arn:aws:iam::012345678901:user/Alice) or set ENVELOPE_PRINCIPAL")
        }
        return KMSTransportSupplier { region in
            do {
                return try backend.transport(region: region ?? fallback, keyIdentifier: nil, profile: profile, principal: principal)
            } catch {
                throw error as any Error
            }
        }
    }

    /// The encrypt side: one KMS encryption keyring per key.
    static func encryptionKeyrings(keys: [KMSKeyIdentifier], region: String?, profile: String?, backend: KMSBackend,
                                   principal: AWSPrincipalARN?) throws(CLIError) -> [any EncryptionKeyring] {
        let transports = try supplier(backend: backend, defaultRegion: region, profile: profile, principal: principal)
        var out: [any EncryptionKeyring] = []
        for key in keys {
            do {
                out.append(try KMSEncryptionKeyring(keyID: key, transport: try transports.transport(for: self.region(of: key))))
            } catch {
                throw CLIError.from(error, doing: "-w key=\(key)")
            }
        }
        return out
    }

    /// The decrypt side: one strict KMS keyring per key. Alias ARNs (and, in the caller's own
    /// account, key IDs and alias names) are resolved to key ARNs now, with DescribeKey.
    static func decryptionKeyrings(keys: [KMSKeyIdentifier], region: String?, profile: String?, backend: KMSBackend,
                                   principal: AWSPrincipalARN?) async throws(CLIError) -> [any DecryptionKeyring] {
        let transports = try supplier(backend: backend, defaultRegion: region, profile: profile, principal: principal)
        var out: [any DecryptionKeyring] = []
        for key in keys {
            do {
                out.append(try await KMSStrictDecryptionKeyring.resolving(key, transport: try transports.transport(for: self.region(of: key))))
            } catch {
                throw CLIError.from(error, doing: "-w key=\(key)")
            }
        }
        return out
    }

    /// `--discovery`: decrypts with the key ARN each encrypted data key names, when it passes the
    /// filter (`--discovery-account` / `--discovery-partition`; any account without them).
    static func discoveryKeyring(accounts: [String], partition: String?, backend: KMSBackend, principal: AWSPrincipalARN?) throws(CLIError) -> any DecryptionKeyring {
        let filter: KMSDiscoveryFilter
        if accounts.isEmpty {
            filter = .anyAccount
        } else {
            let parsed = try accounts.map { (text) throws(CLIError) in try KMSAdmin.account(text, option: "--discovery-account") }
            guard let awsPartition = AWSPartition(rawValue: partition ?? "aws") else {
                throw .usage("--discovery-partition \(partition ?? ""): not a known partition",
                             hint: "use one of " + AWSPartition.allCases.map(\.rawValue).joined(separator: ", "))
            }
            do { filter = try KMSDiscoveryFilter.accounts(parsed, partition: awsPartition) } catch {
                throw CLIError.from(error, doing: "--discovery-account")
            }
        }
        let transports = try supplier(backend: backend, defaultRegion: nil, profile: nil, principal: principal)
        return PerRegionDiscoveryKeyring(filter: filter, transports: transports)
    }
}

/// A discovery keyring for whatever Regions the message's KMS keys are in: one
/// ``KMSDiscoveryKeyring`` per Region named by the encrypted data keys (a discovery keyring only
/// reaches keys of its transport's Region).
struct PerRegionDiscoveryKeyring: DecryptionKeyring, CustomStringConvertible {
    let filter: KMSDiscoveryFilter
    let transports: KMSTransportSupplier

    var description: String { "KMS discovery keyring(\(filter))" }

    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        var regions: [AWSRegion?] = []
        for edk in encryptedDataKeys where edk.providerID == "aws-kms" {
            if let arn = KMSKeyARN(String(decoding: edk.providerInfo, as: UTF8.self)), !regions.contains(arn.region) {
                regions.append(arn.region)
            }
        }
        if regions.isEmpty { regions = [nil] }
        let keyrings = try regions.map { region in
            try KMSDiscoveryKeyring(transport: try transports.transport(for: region), filter: filter) as any DecryptionKeyring
        }
        if keyrings.count == 1 { return try await keyrings[0].onDecrypt(materials, encryptedDataKeys: encryptedDataKeys) }
        return try await MultiDecryptionKeyring(keyrings: keyrings).onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
    }
}
