/// A configuration needs a KMS permission it does not have; raised before any KMS call.
///
/// Names the missing action(s) and the key, and what the configuration does allow.
public struct KMSPermissionError: Error, Sendable, CustomStringConvertible {
    /// The action(s) that would be needed (any one of them suffices when there are several).
    public let missingActions: [KMSAction]
    /// The key the action is needed on.
    public let key: KMSKeyIdentifier
    /// The permissions the configuration has for that key.
    public let granted: KMSPermissions
    /// What needed the permission, e.g. "generate the data key".
    public let purpose: String

    /// Creates the error.
    public init(missingActions: [KMSAction], key: KMSKeyIdentifier, granted: KMSPermissions, purpose: String) {
        self.missingActions = missingActions
        self.key = key
        self.granted = granted
        self.purpose = purpose
    }

    /// What is missing, on which key, and what to do.
    public var description: String {
        let needed = missingActions.map(\.rawValue).joined(separator: " or ")
        let has = granted.actions.isEmpty ? "no KMS actions" : granted.description
        return "To \(purpose) with key \(key) the caller needs \(needed), but its permissions on that key allow only \(has). Allow \(missingActions.first?.rawValue ?? needed) on the key in the key policy and, for another account's key, in the caller's IAM policy. No KMS call was made."
    }
}
