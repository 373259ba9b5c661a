import EnvelopeCrypto
import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Testing

/// `envelope encrypt` / `decrypt --kms aws` end to end with each credential source of the AWS SDKs'
/// chain (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html). The KMS is
/// a loopback fake that accepts only SigV4 signatures made with exactly that source's secret and
/// session token; the source's own endpoint (IMDS, container, STS, SSO portal) is a loopback fake too,
/// reached through the documented override variables. Nothing reaches 169.254.*.
@Suite("envelope --kms aws: every credential source, end to end")
struct AWSCredentialSourceTests {
    static let keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    /// A sandbox, a fake KMS that accepts `expected`, and the base environment (KMS endpoint, empty
    /// shared files, IMDS on a closed port).
    final class Rig {
        let box: Sandbox
        let expected: FakeAWSCredentials
        let kms: LoopbackHTTPServer
        var environment: [String: String]
        var home: URL { box.file("home") }

        init(expecting expected: FakeAWSCredentials) throws {
            box = try Sandbox()
            self.expected = expected
            kms = try AWSEndpointFakes.kms(keyARN: AWSCredentialSourceTests.keyARN) { expected }
            try box.write("plain.bin", testBytes(5_000))
            try box.write("aws/config", [])
            try box.write("aws/credentials", [])
            try box.write("home/.keep", [])
            environment = [
                "HOME": box.file("home").path,
                "AWS_CONFIG_FILE": box.file("aws/config").path,
                "AWS_SHARED_CREDENTIALS_FILE": box.file("aws/credentials").path,
                "AWS_ENDPOINT_URL_KMS": kms.url.absoluteString,
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": try LoopbackHTTPServer.closedPortURL().absoluteString,
                // IMDS waits 1 s per attempt by default; the fake answers at once, and a loaded machine
                // (TSan, parallel suites) must not turn its answer into a timeout.
                "AWS_METADATA_SERVICE_TIMEOUT": "60",
            ]
        }

        func write(_ name: String, _ text: String) throws { try box.write(name, Array(text.utf8)) }

        /// Encrypts and decrypts with `--kms aws`; both must succeed and round-trip.
        func roundTrip(sourceLabel: String) throws {
            let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(AWSCredentialSourceTests.keyARN)", "--kms", "aws"],
                                  environment: environment)
            #expect(enc.status == 0, "\(sourceLabel): \(enc)")
            let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "-w", "key=\(AWSCredentialSourceTests.keyARN)", "--kms", "aws"],
                                  environment: environment)
            #expect(dec.status == 0, "\(sourceLabel): \(dec)")
            #expect(try box.read("m.out") == testBytes(5_000))
            let targets = kms.requests.compactMap { $0.header("X-Amz-Target") }
            #expect(targets == ["TrentService.GenerateDataKey", "TrentService.Decrypt"], "\(sourceLabel)")
            #expect(kms.requests.allSatisfy { $0.header("X-Amz-Security-Token") == expected.sessionToken })
        }

        /// Runs `encrypt --kms aws` expecting failure; returns (status, stderr lines).
        func failingEncrypt() throws -> (status: Int32, lines: [String]) {
            let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(AWSCredentialSourceTests.keyARN)", "--kms", "aws"],
                                     environment: environment)
            #expect(!box.exists("m.enc"))
            #expect(kms.requests.isEmpty, "no KMS call without credentials")
            return (result.status, result.stderr.split(separator: "\n").map(String.init))
        }
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
    @Test("environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN")
    func environment() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "env"))
        rig.environment["AWS_ACCESS_KEY_ID"] = rig.expected.accessKeyId
        rig.environment["AWS_SECRET_ACCESS_KEY"] = rig.expected.secret
        rig.environment["AWS_SESSION_TOKEN"] = rig.expected.sessionToken
        try rig.roundTrip(sourceLabel: "environment")
    }

    @Test("shared credentials file: profile keys with a session token")
    func profileKeys() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "profile"))
        try rig.write("aws/credentials", "[default]\naws_access_key_id = \(rig.expected.accessKeyId)\naws_secret_access_key = \(rig.expected.secret)\naws_session_token = \(rig.expected.sessionToken!)\n")
        try rig.roundTrip(sourceLabel: "profile")
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
    @Test("assume role: role_arn + source_profile through a signed STS AssumeRole")
    func assumeRole() throws {
        let base = FakeAWSCredentials(tag: "base", sessionToken: false)
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "role"))
        let issued = rig.expected
        let sts = try AWSEndpointFakes.sts(signers: { [base] }, issue: { issued })
        try rig.write("aws/credentials", "[base]\naws_access_key_id = \(base.accessKeyId)\naws_secret_access_key = \(base.secret)\n")
        try rig.write("aws/config", "[profile app]\nrole_arn = arn:aws:iam::111122223333:role/app\nsource_profile = base\n")
        rig.environment["AWS_PROFILE"] = "app"
        rig.environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        try rig.roundTrip(sourceLabel: "assume role")
        #expect(sts.requests.count == 2, "encrypt and decrypt are two processes; each assumes the role once")
    }

    @Test("web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN through an unsigned AssumeRoleWithWebIdentity")
    func webIdentity() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "irsa"))
        let issued = rig.expected
        let sts = try AWSEndpointFakes.sts(signers: { [] }, issue: { issued })
        try rig.write("token", "eyJhbGciOi.fake.jwt")
        rig.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = rig.box.file("token").path
        rig.environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa"
        rig.environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        try rig.roundTrip(sourceLabel: "web identity")
        #expect(sts.requests.allSatisfy { $0.header("Authorization") == nil })
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html
    @Test("IAM Identity Center: sso_session profile and the token `aws sso login` cached")
    func sso() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "sso"))
        let issued = rig.expected
        let portal = try AWSEndpointFakes.ssoPortal(accessToken: "cached-access-token", accountId: "111122223333", roleName: "Dev") { issued }
        try rig.write("aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n")
        try writeSSOToken(rig, expiresAt: Date().addingTimeInterval(3600))
        rig.environment["AWS_PROFILE"] = "dev"
        rig.environment["AWS_ENDPOINT_URL_SSO"] = portal.url.absoluteString
        try rig.roundTrip(sourceLabel: "sso")
        #expect(portal.requests.allSatisfy { $0.header("x-amz-sso_bearer_token") == "cached-access-token" })
    }

    func writeSSOToken(_ rig: Rig, expiresAt: Date) throws {
        let name = try HashFunction.sha1.digest(Array("corp".utf8)).map { String(format: "%02x", $0) }.joined()
        try rig.write("home/.aws/sso/cache/\(name).json",
                      #"{"accessToken": "cached-access-token", "expiresAt": "\#(ISO8601DateFormatter().string(from: expiresAt))"}"#)
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
    @Test("credential_process: a helper printing Version 1 JSON")
    func process() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "process"))
        let json = #"{"Version": 1, "AccessKeyId": "\#(rig.expected.accessKeyId)", "SecretAccessKey": "\#(rig.expected.secret)", "SessionToken": "\#(rig.expected.sessionToken!)"}"#
        try rig.write("helper.sh", "#!/bin/sh\necho '\(json)'\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: rig.box.file("helper.sh").path)
        try rig.write("aws/config", "[default]\ncredential_process = \(rig.box.file("helper.sh").path)\n")
        try rig.roundTrip(sourceLabel: "process")
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
    @Test("container: AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity shape)")
    func container() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "container"))
        let issued = rig.expected
        let fake = try AWSEndpointFakes.container(authorization: { "pod-identity-token" }, issue: { issued })
        try rig.write("pod-token", "pod-identity-token")
        rig.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fake.url.absoluteString + "/v1/credentials"
        rig.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = rig.box.file("pod-token").path
        try rig.roundTrip(sourceLabel: "container")
        #expect(fake.requests.count == 2, "one container call per process")
    }

    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
    @Test("EC2 instance metadata: IMDSv2 via AWS_EC2_METADATA_SERVICE_ENDPOINT")
    func imds() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "imds"))
        let issued = rig.expected
        let fake = try AWSEndpointFakes.imds { issued }
        rig.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fake.url.absoluteString
        try rig.roundTrip(sourceLabel: "imds")
        #expect(fake.requests.filter { $0.method == "GET" }.allSatisfy { $0.header("X-aws-ec2-metadata-token") != nil })
    }

    @Test("envelope aws whoami: account, ARN, credential source and Region")
    func whoami() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "whoami"))
        let caller = rig.expected
        let sts = try AWSEndpointFakes.sts(signers: { [caller] }, issue: { caller }, account: "444455556666")
        rig.environment["AWS_ACCESS_KEY_ID"] = caller.accessKeyId
        rig.environment["AWS_SECRET_ACCESS_KEY"] = caller.secret
        rig.environment["AWS_SESSION_TOKEN"] = caller.sessionToken
        rig.environment["AWS_ENDPOINT_URL_STS"] = sts.url.absoluteString
        rig.environment["AWS_DEFAULT_REGION"] = "eu-west-1"
        let result = try rig.box.run(["aws", "whoami"], environment: rig.environment)
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["Account"] as? String == "444455556666")
        #expect(json["Arn"] as? String == "arn:aws:sts::444455556666:assumed-role/Fake/\(caller.accessKeyId)")
        #expect(json["CredentialSource"] as? String == "\(AWSCredentialSource.environment)")
        #expect(json["Region"] as? String == "eu-west-1")
        #expect(json["RegionSource"] as? String == "AWS_DEFAULT_REGION")
        #expect(sts.requests.first?.form["Action"] == "GetCallerIdentity")
    }

    @Test("a KMS refusal names the credential source in use")
    func errorsNameTheSource() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "expected"))
        let other = FakeAWSCredentials(tag: "other")
        try rig.write("aws/credentials", "[default]\naws_access_key_id = \(other.accessKeyId)\naws_secret_access_key = \(other.secret)\n")
        let result = try rig.box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(Self.keyARN)", "--kms", "aws"], environment: rig.environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains("AWS credentials: \(AWSCredentialSource.sharedProfile("default"))"), "\(result)")
    }

    // The failure cases: each a one-line error (plus a hint line) and a prompt exit.
    @Test("expired SSO token: run `aws sso login --profile P`")
    func ssoExpired() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "sso"))
        try rig.write("aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n")
        try writeSSOToken(rig, expiresAt: Date().addingTimeInterval(-120))
        rig.environment["AWS_PROFILE"] = "dev"
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2 && lines[0].contains("aws sso login --profile dev") && lines[1].hasPrefix("hint: "), "\(lines)")
        #expect(lines.last == "hint: run `aws sso login --profile dev`, then try again", "the hint is chosen by the typed error")
    }

    @Test("credential_process that exits 1")
    func processExits1() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "p"))
        try rig.write("helper.sh", "#!/bin/sh\necho 'helper: not signed in' >&2\nexit 1\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: rig.box.file("helper.sh").path)
        try rig.write("aws/config", "[default]\ncredential_process = \(rig.box.file("helper.sh").path)\n")
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2 && lines[0].contains("exited with status 1: helper: not signed in"), "\(lines)")
    }

    @Test("web identity token file missing")
    func tokenFileMissing() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "w"))
        rig.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = rig.box.file("absent-token").path
        rig.environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa"
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2 && lines[0].contains("absent-token"), "\(lines)")
    }

    @Test("container URI host not allowed")
    func containerHostNotAllowed() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "c"))
        rig.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://198.51.100.7/creds"
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2 && lines[0].contains("198.51.100.7") && lines[0].contains("not allowed"), "\(lines)")
        #expect(lines.last?.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") == true, "\(lines)")
    }

    @Test("IMDS unreachable (credential_source = Ec2InstanceMetadata): a credentials error (78) at once, not a fall-through")
    func imdsUnreachable() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "i"))
        try rig.write("aws/config", "[profile ec2]\nrole_arn = arn:aws:iam::111122223333:role/r\ncredential_source = Ec2InstanceMetadata\n")
        rig.environment["AWS_PROFILE"] = "ec2"
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2 && lines[0].contains("EC2 instance metadata") && lines[0].contains("1 attempt(s)"), "\(lines)")
        #expect(!lines[0].contains("no AWS credentials found"), "an explicit profile's failure is reported as such")
    }

    @Test("no source at all: every source named with why it was skipped")
    func noSource() throws {
        let rig = try Rig(expecting: FakeAWSCredentials(tag: "n"))
        let (status, lines) = try rig.failingEncrypt()
        #expect(status == 78)
        #expect(lines.count == 2, "\(lines)")
        for source in [AWSCredentialSource.environment, .webIdentity(profile: nil), .sharedProfile("default"), .container, .instanceMetadata] {
            #expect(lines[0].contains("\(source)"), "\(source) missing from \(lines[0])")
        }
    }
}
