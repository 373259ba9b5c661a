import EnvelopeCrypto
import EnvelopeKMS
import Foundation

extension LocalKMS {
    /// `CreateGrant` as `caller`. Authorized by kms:CreateGrant (whose policy context carries
    /// `kms:GrantIsForAWSResource`, true only when `caller.viaService` is set), or by a grant that
    /// includes CreateGrant and covers every requested operation.
    public func createGrant(_ request: CreateGrantRequest, caller: LocalKMSCaller) throws -> CreateGrantResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "CreateGrant")
        guard !request.operations.isEmpty else { throw LocalKMSErrors.validation("Operations must name at least one grant operation") }
        for operation in request.operations where !KMSGrantOperation.symmetricKeyOperations.contains(operation) {
            throw LocalKMSErrors.validation("\(operation) is not a grant operation of a symmetric encryption key")
        }
        let grantee: AWSPrincipalARN
        do { grantee = try AWSPrincipalARN(parsing: request.granteePrincipal) } catch {
            throw LocalKMSErrors.validation("GranteePrincipal is not a principal ARN: \(error.message)")
        }
        if let retiring = request.retiringPrincipal, AWSPrincipalARN(retiring) == nil {
            throw LocalKMSErrors.validation("RetiringPrincipal is not a principal ARN")
        }
        if let name = request.name, name.isEmpty || name.count > 256 || !name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ":/_-".unicodeScalars.contains($0)) }) {
            throw LocalKMSErrors.validation("Name must be 1 to 256 of the characters a-zA-Z0-9:/_-")
        }
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        let constraintContext = (request.constraints?.encryptionContextEquals ?? [:])
            .merging(request.constraints?.encryptionContextSubset ?? [:]) { a, _ in a }
        // A grant that includes CreateGrant lets its grantee create grants for a subset of its operations.
        try authorize(caller, .createGrant, on: key, encryptionContext: constraintContext) { parent in
            parent.operations.contains(.createGrant) && request.operations.allSatisfy(parent.operations.contains)
        }
        try checkUsable(key)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        return try mutate { state in
            if let name = request.name, let existing = state.grants.first(where: {
                $0.keyARN == key.arn && $0.name == name && $0.granteePrincipal == grantee.description
                    && $0.operations == request.operations && $0.constraints == request.constraints
            }) {
                return CreateGrantResponse(grantToken: existing.grantToken, grantId: existing.grantId)
            }
            let grantId = RandomBytes.array(count: 32).map { String($0, radix: 16).leftPadded(2) }.joined()
            let grantToken = Data(RandomBytes.array(count: 96)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            state.grants.append(StoredGrant(grantId: grantId, grantToken: grantToken, keyARN: key.arn, name: request.name,
                                            creationDate: Date(), granteePrincipal: grantee.description,
                                            retiringPrincipal: request.retiringPrincipal,
                                            issuingAccount: key.arn.account.rootPrincipal(partition: key.arn.partition).description,
                                            operations: request.operations, constraints: request.constraints))
            return CreateGrantResponse(grantToken: grantToken, grantId: grantId)
        }
    }

    /// `ListGrants` as `caller` (kms:ListGrants; pages of `Limit`, default 50, at most 100).
    public func listGrants(_ request: ListGrantsRequest, caller: LocalKMSCaller) throws -> ListGrantsResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "ListGrants")
        let limit = request.limit ?? 50
        guard (1...100).contains(limit) else { throw LocalKMSErrors.validation("Limit must be between 1 and 100") }
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .listGrants, on: key)
        let all = state.grants.filter { grant in
            grant.keyARN == key.arn && (request.grantId.map { $0 == grant.grantId } ?? true)
                && (request.granteePrincipal.map { $0 == grant.granteePrincipal } ?? true)
        }
        let start: Int
        if let marker = request.marker {
            guard let value = Int(marker), (0...all.count).contains(value) else {
                throw KMSError(code: "InvalidMarkerException", message: "The marker \(marker) is not valid; pass NextMarker of the previous page")
            }
            start = value
        } else {
            start = 0
        }
        let end = min(all.count, start + limit)
        let page = all[start..<end].map(\.listEntry)
        return ListGrantsResponse(grants: Array(page), nextMarker: end < all.count ? String(end) : nil, truncated: end < all.count)
    }

    /// `RevokeGrant` as `caller` (kms:RevokeGrant).
    public func revokeGrant(_ request: RevokeGrantRequest, caller: LocalKMSCaller) throws -> RevokeGrantResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "RevokeGrant")
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .revokeGrant, on: key)
        guard state.grants.contains(where: { $0.keyARN == key.arn && $0.grantId == request.grantId }) else {
            throw KMSError(code: .notFound, message: "Grant ID \(request.grantId) not found for key \(key.arn)")
        }
        if request.dryRun { throw LocalKMSErrors.dryRun }
        try mutate { state in state.grants.removeAll { $0.keyARN == key.arn && $0.grantId == request.grantId } }
        return RevokeGrantResponse()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
