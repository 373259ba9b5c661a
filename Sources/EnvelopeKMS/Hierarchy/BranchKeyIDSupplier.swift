import EnvelopeCore

/// Chooses the branch key of a hierarchical keyring per message, from the encryption context: one
/// keyring then serves many tenants, each under its own branch key.
///
/// Spec: framework/aws-kms/aws-kms-hierarchical-keyring.md ("Branch Key Supplier"). The keyring
/// asks it on encrypt (with the caller's encryption context) and on decrypt (with the message's).
public protocol BranchKeyIDSupplier: Sendable {
    /// The branch key identifier for a message with this encryption context.
    ///
    /// Throw (for example a ``BranchKeyIDSupplierError``) when the context names no branch key;
    /// the keyring then fails without touching the materials.
    ///
    /// - Parameter encryptionContext: The message's encryption context.
    func branchKeyIdentifier(for encryptionContext: EncryptionContext) async throws -> String
}

/// Why a ``BranchKeyIDSupplier`` found no branch key for an encryption context.
public struct BranchKeyIDSupplierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was missing.
    public enum Reason: Sendable, Hashable {
        /// The encryption context has no pair with this key.
        case missingContextKey(String)
        /// The context's value under this key is not one the supplier knows.
        case unknownTenant(contextKey: String)
    }

    /// What was missing.
    public let reason: Reason

    /// Creates an error.
    /// - Parameter reason: What was missing.
    public init(_ reason: Reason) { self.reason = reason }

    /// What was missing and what to do.
    public var description: String {
        switch reason {
        case .missingContextKey(let key):
            "the encryption context has no \"\(key)\" pair, which names the tenant whose branch key to use; add it to the encryption context"
        case .unknownTenant(let key):
            "the tenant named by the encryption context's \"\(key)\" pair has no branch key in this supplier; add one for it"
        }
    }
}

/// A ``BranchKeyIDSupplier`` that reads a tenant from one encryption context pair and looks up
/// that tenant's branch key identifier in a table.
public struct EncryptionContextBranchKeyIDSupplier: BranchKeyIDSupplier {
    /// The encryption context key whose value names the tenant.
    public let contextKey: String
    /// Tenant (the context value) → branch key identifier.
    public let branchKeyIdentifiers: [String: String]

    /// Creates the supplier.
    ///
    /// - Parameters:
    ///   - contextKey: The encryption context key whose value names the tenant.
    ///   - branchKeyIdentifiers: Each tenant's branch key identifier.
    public init(contextKey: String, branchKeyIdentifiers: [String: String]) {
        self.contextKey = contextKey
        self.branchKeyIdentifiers = branchKeyIdentifiers
    }

    /// The branch key of the tenant the context names, or a ``BranchKeyIDSupplierError``.
    /// - Parameter encryptionContext: The message's encryption context.
    public func branchKeyIdentifier(for encryptionContext: EncryptionContext) async throws -> String {
        guard let tenant = encryptionContext[contextKey] else { throw BranchKeyIDSupplierError(.missingContextKey(contextKey)) }
        guard let id = branchKeyIdentifiers[tenant] else { throw BranchKeyIDSupplierError(.unknownTenant(contextKey: contextKey)) }
        return id
    }
}
