import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// A moto server (`moto[server]` from the test venv) on 127.0.0.1, a free port, with IAM signature
/// checking on: the launcher creates two IAM users (one allowed `kms:*`/`sts:AssumeRole`, one not),
/// their access keys, a role and two KMS keys with aliases during an unauthenticated allowance
/// (`POST /moto-api/reset-auth`), then turns authentication on (`reset-auth` with 0).
/// moto 5.2.5's server reads that body as a bare number (`float(request.data)`, content type
/// `text/plain`); a JSON body `{"initial_no_auth_action_count": N}` is answered with HTTP 500.
/// It runs once per test process and stops when the process ends (its stdin closes).
actor MotoFixture {
    static let shared = MotoFixture()
    private var peer: PythonPeer?

    struct Info: Sendable {
        let endpoint: String
        let allowedId: String
        let allowedSecret: String
        let deniedId: String
        let deniedSecret: String
        let roleArn: String
        let key1: KMSKeyARN
        let key2: KMSKeyARN
    }
    private var info: Info?

    func start() throws -> Info {
        if let info { return info }
        let peer = try MotoServer.launch(setup: Self.setup)
        let ready = peer.ready
        func user(_ name: String) -> [String: String] { ready[name] as! [String: String] }
        let info = Info(
            endpoint: ready["endpoint"] as! String,
            allowedId: user("envelope-user")["AccessKeyId"]!, allowedSecret: user("envelope-user")["SecretAccessKey"]!,
            deniedId: user("envelope-denied")["AccessKeyId"]!, deniedSecret: user("envelope-denied")["SecretAccessKey"]!,
            roleArn: ready["roleArn"] as! String,
            key1: try KMSKeyARN(parsing: ready["key1"] as! String),
            key2: try KMSKeyARN(parsing: ready["key2"] as! String))
        self.peer = peer
        self.info = info
        return info
    }

    static let setup = #"""
def reset_auth(count):
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=str(count).encode(), method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req).read()

reset_auth(1000)
iam = boto3.client("iam", **setup)
kms = boto3.client("kms", **setup)
allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:*", "sts:AssumeRole"], "Resource": "*"}]}
deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "*"}]}
for name, policy in (("envelope-user", allow), ("envelope-denied", deny)):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    out[name] = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="envelope-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
iam.put_role_policy(RoleName="envelope-role", PolicyName="p", PolicyDocument=json.dumps(allow))
out["roleArn"] = role["Arn"]
for index in (1, 2):
    meta = kms.create_key(Description=f"envelope test key {index}")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/envelope-{index}", TargetKeyId=meta["KeyId"])
    out[f"key{index}"] = meta["Arn"]
reset_auth(0)
"""#
}
