@testable import EnvelopeKMSHTTP
import Foundation
import Testing

/// One case of botocore's KMS endpoint tests.
struct EndpointCase: CustomTestStringConvertible, Sendable {
    let documentation: String
    let region: String?
    let useFIPS: Bool
    let useDualStack: Bool
    let endpoint: String?
    let expectedURL: String?
    let expectedError: String?

    var testDescription: String { documentation }

    static func all() throws -> [EndpointCase] {
        let url = TestData.vectors.appendingPathComponent("kms/kms-endpoint-tests-1.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["testCases"] as! [[String: Any]]).map { item in
            let params = item["params"] as? [String: Any] ?? [:]
            let expect = item["expect"] as! [String: Any]
            return EndpointCase(
                documentation: item["documentation"] as! String,
                region: params["Region"] as? String,
                useFIPS: params["UseFIPS"] as? Bool ?? false,
                useDualStack: params["UseDualStack"] as? Bool ?? false,
                endpoint: params["Endpoint"] as? String,
                expectedURL: (expect["endpoint"] as? [String: Any])?["url"] as? String,
                expectedError: expect["error"] as? String)
        }
    }
}

@Suite("KMS endpoint resolution (botocore endpoint-tests-1.json)")
struct EndpointTests {
    static let cases = (try? EndpointCase.all()) ?? []

    @Test("all 68 cases are loaded")
    func loaded() { #expect(Self.cases.count == 68) }

    @Test("resolves as the rule set says", arguments: cases)
    func resolves(_ testCase: EndpointCase) {
        do {
            let url = try KMSEndpointResolver.resolve(
                region: testCase.region, useFIPS: testCase.useFIPS, useDualStack: testCase.useDualStack,
                endpoint: testCase.endpoint)
            #expect(testCase.expectedError == nil, "expected error \(testCase.expectedError ?? "")")
            #expect(url.absoluteString == testCase.expectedURL)
        } catch {
            #expect(testCase.expectedURL == nil, "unexpected error \(error)")
            if let expected = testCase.expectedError { #expect(error.message.hasPrefix(expected)) }
        }
    }

    @Test("legacy -fips pseudo-regions sign with the real region")
    func legacyFIPS() throws {
        let endpoint = try KMSEndpointResolver.endpoint(region: "us-east-1-fips")
        #expect(endpoint.url.absoluteString == "https://kms-fips.us-east-1.amazonaws.com")
        #expect(endpoint.signingRegion == "us-east-1")
    }

    @Test("partition of a region gives the ARN partition", arguments: [
        ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"), ("eusc-de-east-1", "aws-eusc"), ("xx-unknown-9", "aws"),
    ])
    func partition(_ pair: (String, String)) {
        #expect(AWSEndpointPartition.of(region: pair.0).name == pair.1)
    }
}
