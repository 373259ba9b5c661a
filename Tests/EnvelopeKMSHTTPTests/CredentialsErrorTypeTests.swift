import EnvelopeCore
@testable import EnvelopeKMSHTTP
import Foundation
import Testing

@Suite("AWSCredentialsError is found by type")
struct CredentialsErrorTypeTests {
    @Test("a credentials failure with its source; nothing-found wraps each skipped source as a cause")
    func byType() {
        let skipped = [AWSCredentialsError(.notConfigured, "AWS_ACCESS_KEY_ID is not set", source: .environment),
                       AWSCredentialsError(.endpointUnreachable, "no answer", source: .instanceMetadata)]
        let none = AWSCredentialsError(.noSourceFound, "no AWS credentials found", source: .chain, skipped: skipped)
        let wrapped = EnvelopeError(.unableToDecryptDataKey, "could not decrypt", causes: [none])
        let found = wrapped.firstCause(AWSCredentialsError.self)
        #expect(found?.kind == .noSourceFound)
        #expect((found as (any CredentialsFailure)?)?.credentialsSource == "credential chain")
        #expect(none.underlyingErrors.compactMap { ($0 as? AWSCredentialsError)?.source } == [.environment, .instanceMetadata])
        let sso = AWSCredentialsError(.ssoLoginRequired, "run `aws sso login --profile dev`", source: .sso(profile: "dev"))
        #expect(sso.credentialsSource == "profile 'dev' (IAM Identity Center)")
    }
}
