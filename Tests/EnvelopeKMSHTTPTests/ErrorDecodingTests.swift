@testable import EnvelopeKMSHTTP
import Foundation
import Testing

/// Error decoding per the Smithy awsJson1_1 rules (header first, then `code`, then top-level `__type`;
/// sanitised) plus the XML bodies some endpoints answer with.
@Suite("AWS error decoding")
struct ErrorDecodingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String
        let code: String
        let message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "__type plain", status: 400, headers: [], body: #"{"__type":"NotFoundException","message":"Key 'x' does not exist"}"#,
             code: "NotFoundException", message: "Key 'x' does not exist"),
        Case(name: "__type with namespace", status: 400, headers: [],
             body: #"{"__type":"com.amazonaws.kms#InvalidCiphertextException","message":""}"#, code: "InvalidCiphertextException", message: ""),
        Case(name: "__type with namespace and URI suffix", status: 400, headers: [],
             body: #"{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/","Message":"Hi"}"#,
             code: "FooError", message: "Hi"),
        Case(name: "code member wins over __type", status: 400, headers: [],
             body: #"{"code":"FooError","__type":"BarError"}"#, code: "FooError", message: ""),
        Case(name: "X-Amzn-ErrorType header wins", status: 400, headers: [("X-Amzn-Errortype", "FooError:http://internal.amazon.com/")],
             body: #"{"__type":"BarError"}"#, code: "FooError", message: ""),
        Case(name: "nested __type is ignored", status: 400, headers: [],
             body: #"{"__type":"FooError","Nested":{"__type":"Inner"}}"#, code: "FooError", message: ""),
        Case(name: "XML error body (moto, some proxies)", status: 403, headers: [],
             body: #"<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>bad &amp; wrong</Message></Error></Errors></ErrorResponse>"#,
             code: "SignatureDoesNotMatch", message: "bad & wrong"),
        Case(name: "empty body 503", status: 503, headers: [], body: "", code: "ServiceUnavailable", message: ""),
        Case(name: "plain text 502", status: 502, headers: [], body: "Bad Gateway", code: "HTTP502", message: ""),
    ]

    @Test("decodes code and message", arguments: cases)
    func decodes(_ testCase: Case) {
        let error = AWSErrorResponse.decode(status: testCase.status, headers: testCase.headers, body: Array(testCase.body.utf8))
        #expect(error.code == testCase.code)
        #expect(error.message == testCase.message)
        #expect(error.status == testCase.status)
    }

    @Test("retryable: throttling, 429, 5xx; not: other 4xx")
    func retryable() {
        #expect(AWSErrorResponse(status: 400, code: "ThrottlingException", message: "").isRetryable)
        #expect(AWSErrorResponse(status: 429, code: "HTTP429", message: "").isRetryable)
        #expect(AWSErrorResponse(status: 500, code: "KMSInternalException", message: "").isRetryable)
        #expect(AWSErrorResponse(status: 503, code: "ServiceUnavailable", message: "").isRetryable)
        for code in ["AccessDeniedException", "NotFoundException", "ValidationException", "SignatureDoesNotMatch", "InvalidCiphertextException"] {
            #expect(!AWSErrorResponse(status: 400, code: code, message: "").isRetryable)
        }
    }
}
