import EnvelopeKMS
import Foundation
import Testing

@Suite("Key identifier parsing")
struct IdentifierParsingTests {
    static let uuid = "1234abcd-12ab-34cd-56ef-1234567890ab"
    static let mrk = "mrk-4321abcd12ab34cd56ef1234567890ab"

    @Test("key ID: UUID and multi-Region forms")
    func keyIDs() throws {
        let plain = try KMSKeyID(validating: Self.uuid)
        #expect(!plain.isMultiRegion)
        let multi = try KMSKeyID(validating: Self.mrk)
        #expect(multi.isMultiRegion)
        #expect(KMSKeyID.random().rawValue.count == 36)
        #expect(KMSKeyID.randomMultiRegion().isMultiRegion)
        #expect(KMSKeyID(rawValue: KMSKeyID.random().rawValue) != nil)
    }

    @Test("key ID: malformed forms are rejected as key ID errors", arguments: [
        "", "1234ABCD-12AB-34CD-56EF-1234567890AB", "1234abcd12ab34cd56ef1234567890ab", "1234abcd-12ab-34cd-56ef-1234567890a",
        "mrk-", "mrk-4321abcd12ab34cd56ef1234567890ab-not", "mrk-4321ABCD12ab34cd56ef1234567890ab", "zzzzzzzz-12ab-34cd-56ef-1234567890ab",
    ])
    func badKeyIDs(_ text: String) {
        #expect(throws: KMSIdentifierError.self) { try KMSKeyID(validating: text) }
        do { _ = try KMSKeyID(validating: text) } catch { #expect(error.part == .keyID) }
    }

    @Test("key ARN in every supported partition", arguments: [
        ("aws", "us-east-2"), ("aws", "eu-west-1"), ("aws", "il-central-1"), ("aws-cn", "cn-north-1"),
        ("aws-us-gov", "us-gov-west-1"), ("aws-iso", "us-iso-east-1"), ("aws-iso-b", "us-isob-east-1"),
    ])
    func keyARNPartitions(_ partition: String, _ region: String) throws {
        let text = "arn:\(partition):kms:\(region):111122223333:key/\(Self.uuid)"
        let arn = try KMSKeyARN(parsing: text)
        #expect(arn.partition.rawValue == partition)
        #expect(arn.region.rawValue == region)
        #expect(arn.account.rawValue == "111122223333")
        #expect(arn.keyID.rawValue == Self.uuid)
        #expect(arn.description == text)
        #expect(!arn.isMultiRegion)
    }

    @Test("multi-Region key ARN")
    func mrkARN() throws {
        let arn = try KMSKeyARN(parsing: "arn:aws:kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7")
        #expect(arn.isMultiRegion)
        #expect(KMSKeyIdentifier.keyARN(arn).isMultiRegion)
    }

    @Test("alias name and alias ARN")
    func aliases() throws {
        let name = try KMSAliasName(validating: "alias/ExampleAlias")
        #expect(name.name == "ExampleAlias")
        let arn = try KMSAliasARN(parsing: "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias")
        #expect(arn.aliasName == name)
        #expect(arn.account == "111122223333")
        #expect(arn.description == "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias")
        // Later `/` stay in the id (spec aws-kms-key-arn.md).
        let nested = try KMSAliasARN(parsing: "arn:aws:kms:us-east-2:111122223333:alias/team/app:v1")
        #expect(nested.aliasName.name == "team/app:v1")
        // An alias named like an MRK is not multi-Region.
        #expect(try !KMSKeyIdentifier(parsing: "alias/mrk-1234").isMultiRegion)
    }

    @Test("malformed alias names name the alias part", arguments: ["alias/", "alias/has space", "alias/é", "notalias/x"])
    func badAliasNames(_ text: String) {
        do {
            _ = try KMSAliasName(validating: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.part == .aliasName)
        }
    }

    @Test("KMSKeyIdentifier classifies every form")
    func identifierForms() throws {
        #expect(try KMSKeyIdentifier(parsing: Self.uuid) == .keyID(KMSKeyID(validating: Self.uuid)))
        #expect(try KMSKeyIdentifier(parsing: Self.mrk).isMultiRegion)
        #expect(try !KMSKeyIdentifier(parsing: Self.mrk).isARN)
        if case .aliasName = try KMSKeyIdentifier(parsing: "alias/x") {} else { Issue.record("alias name") }
        if case .aliasARN = try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:111122223333:alias/x") {} else { Issue.record("alias ARN") }
        let keyARN = try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:111122223333:key/\(Self.uuid)")
        #expect(keyARN.keyARN != nil)
        #expect(keyARN.isARN)
        #expect(keyARN.description == "arn:aws:kms:us-east-1:111122223333:key/\(Self.uuid)")
    }

    @Test("errors name the wrong part", arguments: [
        ("arn:aws:kms:us-east-1:111122223333", KMSIdentifierError.Part.whole),
        ("arm:aws:kms:us-east-1:111122223333:key/\(uuid)", .prefix),
        ("arn:aws-eu:kms:us-east-1:111122223333:key/\(uuid)", .partition),
        ("arn:aws:s3:us-east-1:111122223333:key/\(uuid)", .service),
        ("arn:aws:kms:moon-1:111122223333:key/\(uuid)", .region),
        ("arn:aws-cn:kms:us-east-1:111122223333:key/\(uuid)", .region),
        ("arn:aws:kms:us-east-1:11112222333:key/\(uuid)", .account),
        ("arn:aws:kms:us-east-1:11112222333a:key/\(uuid)", .account),
        ("arn:aws:kms:us-east-1:111122223333:secret/\(uuid)", .resourceType),
        ("arn:aws:kms:us-east-1:111122223333:key/not-a-key", .keyID),
        ("arn:aws:kms:us-east-1:111122223333:alias/", .aliasName),
    ])
    func partNamed(_ text: String, _ part: KMSIdentifierError.Part) {
        do {
            _ = try KMSKeyIdentifier(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.part == part, "\(error)")
            #expect(error.description.contains(part.rawValue))
        }
    }

    @Test("a key ARN is required where one is expected")
    func keyARNRejectsAlias() {
        do {
            _ = try KMSKeyARN(parsing: "arn:aws:kms:us-east-1:111122223333:alias/x")
            Issue.record("parsed")
        } catch {
            #expect(error.part == .resourceType)
            #expect(error.message.contains("alias ARN"))
        }
    }

    @Test("principal ARNs")
    func principals() throws {
        let root = try AWSPrincipalARN(parsing: "arn:aws:iam::012345678901:root")
        #expect(root.isAccountRoot)
        #expect(root == AWSAccountID("012345678901").rootPrincipal())
        let user = try AWSPrincipalARN(parsing: "arn:aws:iam::109876543210:user/User1")
        #expect(user.kind == .user(path: "User1"))
        let role = try AWSPrincipalARN(parsing: "arn:aws:iam::109876543210:role/division/Admin")
        #expect(role.kind == .role(path: "division/Admin"))
        let session = try AWSPrincipalARN(parsing: "arn:aws:sts::109876543210:assumed-role/Admin/session-1")
        #expect(session.policyPrincipal.description == "arn:aws:iam::109876543210:role/Admin")
        for bad in ["arn:aws:iam::1098765432:root", "arn:aws:iam:us-east-1:109876543210:root", "arn:aws:iam::109876543210:group/G",
                    "arn:aws:iam::109876543210:user/", "arn:aws:s3::109876543210:root"] {
            #expect(throws: KMSIdentifierError.self) { try AWSPrincipalARN(parsing: bad) }
        }
    }

    @Test("account IDs and regions")
    func accountsAndRegions() throws {
        #expect(AWSAccountID(rawValue: "111122223333") != nil)
        #expect(AWSAccountID(rawValue: "11112222333") == nil)
        #expect(AWSAccountID(rawValue: "1111222233334") == nil)
        #expect(try AWSRegion(validating: "us-gov-east-1").partition == .awsUSGov)
        #expect(try AWSRegion(validating: "cn-northwest-1").partition == .awsCN)
        #expect(try AWSRegion(validating: "us-isob-east-1").partition == .awsISOB)
        #expect(throws: KMSIdentifierError.self) { try AWSRegion(validating: "US-EAST-1") }
        #expect(throws: KMSIdentifierError.self) { try AWSRegion(validating: "us-east") }
    }

    @Test("identifiers round-trip through Codable as strings")
    func codable() throws {
        let id = try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:111122223333:alias/x")
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["arn:aws:kms:us-east-1:111122223333:alias\/x"]"#)
        #expect(try JSONDecoder().decode([KMSKeyIdentifier].self, from: data) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([KMSKeyARN].self, from: Data(#"["arn:aws:kms::1:key/x"]"#.utf8)) }
    }
}

/// The malformed identifiers of the Java ESDK keys manifest v3 (Vectors/java-keys-manifest-v3).
@Suite("java-keys-manifest-v3 malformed identifiers")
struct JavaKeysManifestTests {
    struct Entry: Decodable {
        let type: String
        let encrypt: Bool
        let decrypt: Bool
        let keyID: String?
        enum CodingKeys: String, CodingKey { case type, encrypt, decrypt, keyID = "key-id" }
    }

    static func manifestKeys() throws -> [String: Entry] {
        let url = try #require(Bundle.module.url(forResource: "keys", withExtension: "json", subdirectory: "Vectors/java-keys-manifest-v3"))
        struct Manifest: Decodable { let keys: [String: Entry] }
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url)).keys
    }

    /// Every malformed identifier of the manifest, with the part our parser blames. `nil` means
    /// it is a valid identifier that is not a key ARN (the ESDK rejects it as a keyring key).
    static let expected: [String: KMSIdentifierError.Part?] = [
        "aws:kms:us-west-2:658956600833:key:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .prefix,
        ":aws:kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .prefix,
        "arn-not:aws:kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .prefix,
        "arn:kms:us-west-2:658956600833:key:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .partition,
        "arn::kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .partition,
        "arn:aws-not:kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .partition,
        "arn:aws:us-west-2:658956600833:key:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .service,
        "arn:aws::us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .service,
        "arn:aws:kms-not:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .service,
        "arn:aws:kms:658956600833:key:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .region,
        "arn:aws:kms::658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .region,
        "arn:aws:kms:us-west-2:key:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .account,
        "arn:aws:kms:us-west-2::key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .account,
        "arn:aws:kms:us-west-2:658956600833-not:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .account,
        "arn:aws:kms:us-west-2:658956600833:mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .resourceType,
        "arn:aws:kms:us-west-2:658956600833:/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .resourceType,
        "arn:aws:kms:us-west-2:658956600833:key-not/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": .resourceType,
        "arn:aws:kms:us-west-2:658956600833:key": .resourceType,
        "arn:aws:kms:us-west-2:658956600833:key/": .keyID,
        "arn:aws:kms:us-west-2:658956600833:key/mrk-80bd8ecdcd4342aebd84b7dc9da498a7-not": .keyID,
        "arn:aws:kms:us-west-2:658956600833:alias/mrk-80bd8ecdcd4342aebd84b7dc9da498a7": nil,
        "mrk-80bd8ecdcd4342aebd84b7dc9da498a7": nil,
    ]

    @Test("the table covers every malformed entry of the manifest")
    func coverage() throws {
        let malformed = try Self.manifestKeys().values.filter { $0.type == "aws-kms" && !$0.encrypt && !$0.decrypt }.compactMap(\.keyID)
        #expect(Set(malformed) == Set(Self.expected.keys))
        #expect(malformed.count == Self.expected.count)
    }

    @Test("no malformed entry is accepted as a key ARN", arguments: Array(expected.keys).sorted())
    func notAKeyARN(_ text: String) {
        #expect(throws: KMSIdentifierError.self) { try KMSKeyARN(parsing: text) }
    }

    @Test("each malformed entry fails on the right part", arguments: Array(expected.keys).sorted())
    func rightPart(_ text: String) throws {
        let expectedPart = try #require(Self.expected[text])
        if let part = expectedPart {
            do {
                _ = try KMSKeyIdentifier(parsing: text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.part == part, "\(text): \(error)")
            }
        } else {
            // Valid identifiers, but not key ARNs: an alias ARN (never MRK) and a bare MRK key ID.
            let id = try KMSKeyIdentifier(parsing: text)
            #expect(id.keyARN == nil)
            if case .aliasARN = id { #expect(!id.isMultiRegion) } else { #expect(id.isMultiRegion && !id.isARN) }
        }
    }

    @Test("the valid manifest keys parse as key ARNs")
    func validEntries() throws {
        let valid = try Self.manifestKeys().values.filter { $0.type == "aws-kms" && $0.encrypt }.compactMap(\.keyID)
        #expect(valid.count == 4)
        for text in valid { #expect(throws: Never.self) { try KMSKeyARN(parsing: text) } }
    }
}
