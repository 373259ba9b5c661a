import EnvelopeCrypto
@testable import EnvelopeSigV4
import EnvelopeTestSupport
import Foundation
import Testing

/// One SigV4 test-suite case: a raw request plus the expected header-form results.
struct SigV4Case: CustomTestStringConvertible, Sendable {
    let name: String
    let rawRequest: String
    let token: String?
    let signsToken: Bool
    let normalize: Bool
    let signBody: Bool
    let expectedCanonical: String
    let expectedStringToSign: String
    let expectedSignature: String?
    let expectedAuthorization: String?

    var testDescription: String { name }

    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    /// The 38 aws-c-auth cases.
    static func awsCAuth() throws -> [SigV4Case] {
        let root = TestData.vectors.appendingPathComponent("sigv4/aws-c-auth-v4")
        return try TestFiles.subdirectories(root).map { folder in
            let context = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("context.json"))) as! [String: Any]
            let credentials = context["credentials"] as! [String: Any]
            let signedRequest = try TestFiles.text(folder.appendingPathComponent("header-signed-request.txt"))
            let authorization = signedRequest.split(separator: "\n").first { $0.hasPrefix("Authorization:") }
                .map { String($0.dropFirst("Authorization:".count)) }
            return SigV4Case(
                name: "aws-c-auth/" + folder.lastPathComponent,
                rawRequest: try TestFiles.text(folder.appendingPathComponent("request.txt")),
                token: credentials["token"] as? String,
                signsToken: !((context["omit_session_token"] as? Bool) ?? false),
                normalize: context["normalize"] as? Bool ?? true,
                signBody: context["sign_body"] as? Bool ?? false,
                expectedCanonical: try TestFiles.text(folder.appendingPathComponent("header-canonical-request.txt")),
                expectedStringToSign: try TestFiles.text(folder.appendingPathComponent("header-string-to-sign.txt")),
                expectedSignature: try TestFiles.text(folder.appendingPathComponent("header-signature.txt"))
                    .trimmingCharacters(in: .whitespacesAndNewlines),
                expectedAuthorization: authorization)
        }
    }

    /// The 34 botocore cases (nested in `normalize-path/` and `post-sts-token/`).
    static func botocore() throws -> [SigV4Case] {
        let root = TestData.vectors.appendingPathComponent("sigv4/botocore-aws4_testsuite")
        let shortToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let readme = try TestFiles.text(root.appendingPathComponent("post-sts-token/readme.txt"))
        let longToken = String(readme.split(separator: "\n").last { $0.hasPrefix("AQoDYXdzEPT") }!)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var folders: [URL] = []
        for folder in try TestFiles.subdirectories(root) {
            if ["normalize-path", "post-sts-token"].contains(folder.lastPathComponent) {
                folders += try TestFiles.subdirectories(folder)
            } else {
                folders.append(folder)
            }
        }
        return try folders.map { folder in
            let name = folder.lastPathComponent
            func file(_ ext: String) throws -> String {
                try TestFiles.text(folder.appendingPathComponent("\(name).\(ext)"))
            }
            var token: String?
            if name == "get-vanilla-with-session-token" { token = shortToken }
            if name.hasPrefix("post-sts-header-") { token = longToken }
            let authorization = try file("authz").trimmingCharacters(in: .whitespacesAndNewlines)
            return SigV4Case(
                name: "botocore/" + name,
                rawRequest: try file("req"),
                token: token,
                signsToken: name != "post-sts-header-after",
                normalize: true,
                signBody: false,
                expectedCanonical: try file("creq"),
                expectedStringToSign: try file("sts"),
                expectedSignature: nil,
                expectedAuthorization: authorization)
        }
    }

    /// Parses `METHOD PATH[?QUERY] HTTP/1.1`, header lines (folded lines continue the previous value), blank line, body.
    func parsedRequest() -> SigV4Request {
        var lines = rawRequest.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if let range = target.range(of: " HTTP/", options: .backwards) { target = String(target[..<range.lowerBound]) }
        var path = target
        var query: [(name: String, value: String)] = []
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            for item in target[target.index(after: mark)...].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((SigV4Encoding.percentDecode(String(pair[0])),
                              SigV4Encoding.percentDecode(pair.count > 1 ? String(pair[1]) : "")))
            }
        }
        var headers: [(name: String, value: String)] = []
        var bodyLines: [String]?
        for line in lines {
            if bodyLines != nil { bodyLines!.append(line); continue }
            if line.isEmpty { bodyLines = []; continue }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = line.firstIndex(of: ":")!
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let body = Array((bodyLines ?? []).joined(separator: "\n").utf8)
        return SigV4Request(method: method, path: path, query: query, headers: headers, body: body)
    }
}

@Suite("SigV4 signing against AWS's test suite")
struct SigV4VectorTests {
    static let cases: [SigV4Case] = (try? SigV4Case.awsCAuth() + SigV4Case.botocore()) ?? []

    @Test("both copies of the suite are present")
    func suitesPresent() throws {
        #expect(try SigV4Case.awsCAuth().count == 38)
        #expect(try SigV4Case.botocore().count == 34)
    }

    @Test("header-form signature matches", arguments: cases)
    func headerSignature(_ testCase: SigV4Case) throws {
        var request = testCase.parsedRequest()
        let credentials = try AWSCredentials(
            accessKeyId: "AKIDEXAMPLE", secretAccessKey: SigV4Case.secret, sessionToken: testCase.token)
        let signer = SigV4Signer(
            region: "us-east-1", service: "service", normalizesPath: testCase.normalize,
            addsPayloadHashHeader: testCase.signBody, signsSessionToken: testCase.signsToken)
        let result = try signer.sign(&request, credentials: credentials, date: SigV4Case.date)
        #expect(result.canonicalRequest == testCase.expectedCanonical)
        #expect(result.stringToSign == testCase.expectedStringToSign)
        if let signature = testCase.expectedSignature { #expect(result.signature == signature) }
        if let authorization = testCase.expectedAuthorization { #expect(result.authorization == authorization) }
        #expect(request.headerValues("Authorization") == [result.authorization])
        #expect(request.headerValues("X-Amz-Date") == ["20150830T123600Z"])
        #expect(request.headerValues("X-Amz-Security-Token") == (testCase.token.map { [$0] } ?? []))
    }

    @Test("a signed request verifies, and any change to it is refused", arguments: cases)
    func verifierRoundTrip(_ testCase: SigV4Case) throws {
        guard testCase.normalize, testCase.signsToken else { return }  // the verifier speaks the KMS dialect only
        var request = testCase.parsedRequest()
        let credentials = try AWSCredentials(
            accessKeyId: "AKIDEXAMPLE", secretAccessKey: SigV4Case.secret, sessionToken: testCase.token)
        _ = try SigV4Signer(region: "us-east-1", service: "service").sign(&request, credentials: credentials, date: SigV4Case.date)
        let verifier = SigV4Verifier(service: "service")
        let lookup: (String) -> (secret: SecureBytes, sessionToken: String?)? = { id in
            id == "AKIDEXAMPLE" ? (credentials.secretAccessKey, testCase.token) : nil
        }
        let authorization = try verifier.verify(request, now: SigV4Case.date, secretFor: lookup)
        #expect(authorization.accessKeyId == "AKIDEXAMPLE")

        var tampered = request
        tampered.body += Array("x".utf8)
        #expect(throws: SigV4VerificationError.self) { try verifier.verify(tampered, now: SigV4Case.date, secretFor: lookup) }
        let wrongSecret = try AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-the-secret")
        do {
            _ = try verifier.verify(request, now: SigV4Case.date) { _ in (wrongSecret.secretAccessKey, testCase.token) }
            Issue.record("a wrong secret must not verify")
        } catch {
            #expect(error.code == "InvalidSignatureException")
        }
    }
}
