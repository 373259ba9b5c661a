import EnvelopeCrypto
import Foundation

/// The parts of a SigV4 `Authorization` header.
public struct SigV4Authorization: Sendable, Equatable {
    /// The access key ID named in the credential scope.
    public let accessKeyId: String
    /// Scope date `YYYYMMDD`.
    public let day: String
    /// Scope region.
    public let region: String
    /// Scope service.
    public let service: String
    /// Signed header names as sent (lower case, `;`-separated in the header).
    public let signedHeaders: [String]
    /// The hex signature.
    public let signature: String

    /// Parses `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=…, Signature=…`.
    public init(parsing header: String) throws(SigV4VerificationError) {
        let prefix = "AWS4-HMAC-SHA256"
        guard header.hasPrefix(prefix + " ") else {
            throw .incompleteSignature("Authorization header must start with \(prefix) followed by Credential, SignedHeaders and Signature")
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst(prefix.count + 1).split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .incompleteSignature("Authorization header element '\(trimmed.prefix(40))' is not of the form key=value")
            }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw .incompleteSignature("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request", !scope[0].isEmpty else {
            throw .incompleteSignature("Credential must have the form <access key>/<YYYYMMDD>/<region>/<service>/aws4_request")
        }
        accessKeyId = scope[0]
        day = scope[1]
        region = scope[2]
        service = scope[3]
        signedHeaders = signed.split(separator: ";").map { $0.lowercased() }
        self.signature = signature
    }
}

/// Why a request's SigV4 signature was refused; each case maps to the AWS error code AWS answers with.
public enum SigV4VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `Authorization` header at all (`MissingAuthenticationTokenException`).
    case missingAuthentication(String)
    /// Malformed or incomplete `Authorization`/date headers (`IncompleteSignatureException`).
    case incompleteSignature(String)
    /// Unknown access key (`UnrecognizedClientException`).
    case unrecognizedClient(String)
    /// Wrong signature (`InvalidSignatureException`).
    case invalidSignature(String)
    /// Request date too far from the server clock (`InvalidSignatureException`, "Signature expired").
    case requestExpired(String)

    /// The AWS error code for the wire.
    public var code: String {
        switch self {
        case .missingAuthentication: return "MissingAuthenticationTokenException"
        case .incompleteSignature: return "IncompleteSignatureException"
        case .unrecognizedClient: return "UnrecognizedClientException"
        case .invalidSignature, .requestExpired: return "InvalidSignatureException"
        }
    }

    /// The message for the wire.
    public var message: String {
        switch self {
        case .missingAuthentication(let text), .incompleteSignature(let text), .unrecognizedClient(let text),
             .invalidSignature(let text), .requestExpired(let text):
            return text
        }
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// Checks SigV4 header signatures on incoming requests (used by the local KMS server).
public struct SigV4Verifier: Sendable {
    /// The service the scope must name, e.g. `kms`.
    public var service: String
    /// Largest accepted difference between `X-Amz-Date` and the server clock (KMS: 5 minutes, as in
    /// its answer "Signature expired: … is now earlier than … (… - 5 min.)").
    public var allowedClockSkew: TimeInterval

    /// Creates a verifier.
    public init(service: String, allowedClockSkew: TimeInterval = 5 * 60) {
        self.service = service
        self.allowedClockSkew = allowedClockSkew
    }

    /// Verifies `request` (path and query decoded, all headers as received).
    ///
    /// - Parameters:
    ///   - request: the request as received.
    ///   - now: the server's current time, to check the request's date against the allowed skew.
    ///   - secretFor: returns the secret of an access key ID and its session token (if it is temporary),
    ///     or `nil` if the key is unknown.
    /// - Returns: the parsed authorization (its `accessKeyId` names the caller).
    public func verify(
        _ request: SigV4Request,
        now: Date = Date(),
        secretFor: (String) -> (secret: SecureBytes, sessionToken: String?)?
    ) throws(SigV4VerificationError) -> SigV4Authorization {
        let values = request.headerValues("Authorization")
        guard let header = values.first else {
            throw .missingAuthentication("Missing Authentication Token: sign the request with AWS Signature Version 4")
        }
        let authorization = try SigV4Authorization(parsing: header)
        guard let dateText = request.headerValues("X-Amz-Date").first else {
            throw .incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header")
        }
        guard let date = SigV4Date.parse(dateText) else {
            throw .incompleteSignature("X-Amz-Date '\(dateText.prefix(32))' is not of the form YYYYMMDDTHHMMSSZ")
        }
        guard authorization.service == service else {
            throw .invalidSignature("Credential should be scoped to correct service: '\(service)'")
        }
        guard SigV4Date(date).day == authorization.day else {
            throw .invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP")
        }
        for required in ["host", "x-amz-date"] where !authorization.signedHeaders.contains(required) {
            throw .incompleteSignature("SignedHeaders must include '\(required)'")
        }
        for name in authorization.signedHeaders where request.headerValues(name).isEmpty {
            throw .incompleteSignature("Signed header '\(name)' is missing from the request")
        }
        // AWS's wording: "Signature expired: <date> is now earlier than <now - skew> (<now> - 5 min.)",
        // and "Signature not yet current: <date> is still later than <now + skew> (<now> + 5 min.)".
        let minutes = "\(Int(allowedClockSkew / 60)) min."
        if date.timeIntervalSince(now) < -allowedClockSkew {
            let bound = SigV4Date(now.addingTimeInterval(-allowedClockSkew)).timestamp
            throw .requestExpired("Signature expired: \(dateText) is now earlier than \(bound) (\(SigV4Date(now).timestamp) - \(minutes))")
        }
        if date.timeIntervalSince(now) > allowedClockSkew {
            let bound = SigV4Date(now.addingTimeInterval(allowedClockSkew)).timestamp
            throw .requestExpired("Signature not yet current: \(dateText) is still later than \(bound) (\(SigV4Date(now).timestamp) + \(minutes))")
        }
        guard let known = secretFor(authorization.accessKeyId) else {
            throw .unrecognizedClient("The security token included in the request is invalid.")
        }
        if let token = known.sessionToken, request.headerValues("X-Amz-Security-Token").first != token {
            throw .unrecognizedClient("The security token included in the request is invalid.")
        }
        let payloadHash: String
        do {
            payloadHash = SigV4Encoding.hex(try HashFunction.sha256.digest(request.body))
        } catch {
            throw .invalidSignature("could not hash the request body")
        }
        if let declared = request.headerValues("X-Amz-Content-SHA256").first, declared.lowercased() != payloadHash {
            throw .invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.")
        }
        let signer = SigV4Signer(region: authorization.region, service: service)
        let expected: SigV4Signature
        do {
            expected = try signer.compute(
                request: request, signedHeaderNames: Set(authorization.signedHeaders), payloadHash: payloadHash,
                accessKeyId: authorization.accessKeyId, secret: known.secret, date: SigV4Date(date))
        } catch {
            throw .invalidSignature("could not compute the expected signature")
        }
        guard ConstantTime.equal(Array(expected.signature.utf8), Array(authorization.signature.lowercased().utf8)) else {
            throw .invalidSignature("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return authorization
    }
}
