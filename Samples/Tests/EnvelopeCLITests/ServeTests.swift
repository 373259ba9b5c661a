import EnvelopeTestSupport
import Foundation
import Testing

@Suite("envelope kms serve and --kms aws")
struct ServeTests {
    @Test("kms serve speaks the KMS wire protocol: encrypt and decrypt with --kms aws --kms-endpoint and an access key")
    func serveAndUseOverHTTP() async throws {
        let fx = try KMSFixture()
        let key = try fx.box.run(["kms", "create-access-key", "--principal", KMSFixture.externalUser, "--kms-state", fx.state]).json()
        let accessKey = try #require(key["AccessKeyId"] as? String)
        let secret = try #require(key["SecretAccessKey"] as? String)

        let server = try ServedLocalKMS(state: fx.state, home: fx.box.path)
        let endpoint = server.endpoint
        #expect(endpoint.hasPrefix("http://127.0.0.1:"))

        let env = ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1"]
        let enc = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "http.enc", "-w", "key=\(fx.keyARN)", "--kms", "aws", "--kms-endpoint", endpoint],
                                 environment: env)
        #expect(enc.status == 0, "\(enc)")
        let dec = try fx.box.run(["decrypt", "-i", "http.enc", "-o", "http.out", "-w", "key=\(fx.aliasARN)", "--kms", "aws", "--kms-endpoint", endpoint],
                                 environment: env)
        #expect(dec.status == 0, "\(dec)")
        #expect(try fx.box.read("http.out") == OwnerStory.plaintext)
        var badEnv = env
        badEnv["AWS_SECRET_ACCESS_KEY"] = "wrong" + secret.dropFirst(5)
        let bad = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "bad.enc", "-w", "key=\(fx.keyARN)", "--kms", "aws", "--kms-endpoint", endpoint],
                                 environment: badEnv)
        #expect(bad.status != 0, "\(bad)")
        #expect(bad.stderr.contains("InvalidSignatureException") || bad.stderr.contains("SignatureDoesNotMatch"), "\(bad)")
        #expect(!fx.box.exists("bad.enc"))
        // Whatever arrives over HTTP is a message the local backend reads too.
        let local = try fx.asExternalUser(["decrypt", "-i", "http.enc", "-o", "local.out", "-w", "key=\(fx.keyARN)"])
        #expect(local.status == 0, "\(local)")

        server.stop()
        #expect(server.process.terminationStatus == 0 || server.process.terminationReason == .uncaughtSignal)
    }

    @Test("--kms aws with an unreachable endpoint is exit 69 with the reason")
    func unreachable() throws {
        let box = try Sandbox()
        try box.write("plain.bin", [1, 2, 3])
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                  "--kms", "aws", "--kms-endpoint", "http://127.0.0.1:9"],
                                 environment: ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY": "secret"])
        #expect(result.status == 69, "\(result)")
        #expect(!box.exists("m.enc"))
    }
}
