import EnvelopeCore

/// Hands out a `KMSTransport` per Region, for keyrings whose keys live in several Regions.
///
/// Spec: framework/aws-kms/aws-kms-multi-keyrings.md ("regional client supplier"). `nil` asks for
/// the default transport, used for bare key IDs and alias names (which carry no Region).
public struct KMSTransportSupplier: Sendable {
    private let make: @Sendable (AWSRegion?) throws -> any KMSTransport

    /// A supplier from a function; `nil` means "the default Region".
    public init(_ make: @escaping @Sendable (AWSRegion?) throws -> any KMSTransport) {
        self.make = make
    }

    /// One transport for its own Region only; asking for another Region throws.
    public static func single(_ transport: any KMSTransport) -> KMSTransportSupplier {
        KMSTransportSupplier { region in
            guard region == nil || region == transport.region else {
                throw EnvelopeKMSKeyringErrors.noTransport(for: region!, have: transport.region)
            }
            return transport
        }
    }

    /// The transport for `region` (nil: the default one).
    public func transport(for region: AWSRegion?) throws -> any KMSTransport {
        try make(region)
    }
}
