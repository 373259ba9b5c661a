// The hierarchical keyring's reason to exist is the KMS call rate: this tool encrypts and decrypts
// 1 KiB messages (suite 0x0478, one task) through it and through the raw AES keyring in the same
// run, alternating rounds, and reports messages/s, their ratio, and the KMS and DynamoDB calls.
//
// The branch key store is the specification's (KMSBranchKeyStore) over an in-process DynamoDB
// table and the in-process local KMS (key policies evaluated on every call), so every call the
// store makes is real and counted.
//
// Usage: envelope-bench-hierarchy [SECONDS per round, default 2] [ROUNDS, default 3] [TTL seconds, default 1]
// The TTL run encrypts for SECONDS × ROUNDS with the given TTL to count calls per TTL window.
//        envelope-bench-hierarchy count raw-encrypt|hierarchy-encrypt|raw-decrypt|hierarchy-decrypt N
// runs N messages of one case and exits, for instruction counts under callgrind (main is
// synchronous: valgrind cannot run an async main).
import Dispatch
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation

let countMode = CommandLine.arguments.dropFirst().first == "count"
let arguments = countMode ? [] : CommandLine.arguments.dropFirst().compactMap(Double.init)
let seconds = arguments.first ?? 2
let rounds = Int(arguments.dropFirst().first ?? 3)
let shortTTL = arguments.dropFirst(2).first ?? 1

let account: AWSAccountID = "109876543210"
let user = AWSPrincipalARN("arn:aws:iam::109876543210:user/BenchUser")!
let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
let plaintext = [UInt8](repeating: 0x42, count: 1024)
let context: EncryptionContext = ["tenant": "bench", "purpose": "hierarchy-rate"]
let client = EnvelopeClient()

/// Messages per second of `body` run for `seconds`.
func rate(_ seconds: Double, _ body: () async throws -> Void) async throws -> (rate: Double, count: Int) {
    let clock = ContinuousClock()
    let start = clock.now
    let end = start.advanced(by: .milliseconds(Int(seconds * 1000)))
    var count = 0
    while clock.now < end {
        for _ in 0..<64 { try await body() }
        count += 64
    }
    let elapsed = start.duration(to: clock.now)
    return (Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18), count)
}

func dynamoCalls(_ db: InMemoryDynamoDB) async -> Int { await db.callCounts.values.reduce(0, +) }

func run() async throws {
    // The store: a table, a KMS key, one branch key.
    let kms = try LocalKMS()
    let keyARN = try await kms.createKey(account: account, userPrincipals: [user]).arn
    let transport = CountingKMSTransport(kms.client(principal: user))
    let dynamoDB = InMemoryDynamoDB()
    let store = KMSBranchKeyStore(tableName: "BranchKeys", logicalKeyStoreName: "BranchKeys", kmsConfiguration: .keyARN(keyARN),
                                  kms: transport, dynamoDB: dynamoDB)
    _ = try await store.createKeyStore()
    let branchKeyID = try await store.createKey()

    let raw = try RawAESKeyring(keyNamespace: "bench", keyName: "aes", wrappingKey: RandomBytes.secure(count: 32))
    let hierarchy = try HierarchicalKeyring(store: store, branchKeyIdentifier: branchKeyID, ttl: .seconds(600))
    let rawMessage = try await client.encrypt(plaintext, keyring: raw, encryptionContext: context, suite: suite).ciphertext
    let hierarchyMessage = try await client.encrypt(plaintext, keyring: hierarchy, encryptionContext: context, suite: suite).ciphertext
    _ = try await client.decrypt(hierarchyMessage, keyring: hierarchy)

    if countMode {
        let which = CommandLine.arguments[2], n = Int(CommandLine.arguments[3])!
        for _ in 0..<n {
            switch which {
            case "raw-encrypt": _ = try await client.encrypt(plaintext, keyring: raw, encryptionContext: context, suite: suite)
            case "hierarchy-encrypt": _ = try await client.encrypt(plaintext, keyring: hierarchy, encryptionContext: context, suite: suite)
            case "raw-decrypt": _ = try await client.decrypt(rawMessage, keyring: raw)
            default: _ = try await client.decrypt(hierarchyMessage, keyring: hierarchy)
            }
        }
        print("\(which): \(n) messages, \(transport.totalCount) KMS calls after setup")
        return
    }

    transport.reset()
    let dynamoBefore = await dynamoCalls(dynamoDB)
    var best: [String: Double] = [:]
    var hierarchyMessages = 0
    for round in 1...rounds {
        let r = [
            ("raw AES encrypt", try await rate(seconds) { _ = try await client.encrypt(plaintext, keyring: raw, encryptionContext: context, suite: suite) }),
            ("hierarchy encrypt", try await rate(seconds) { _ = try await client.encrypt(plaintext, keyring: hierarchy, encryptionContext: context, suite: suite) }),
            ("raw AES decrypt", try await rate(seconds) { _ = try await client.decrypt(rawMessage, keyring: raw) }),
            ("hierarchy decrypt", try await rate(seconds) { _ = try await client.decrypt(hierarchyMessage, keyring: hierarchy) }),
        ]
        for (name, result) in r {
            best[name] = max(best[name] ?? 0, result.rate)
            if name.hasPrefix("hierarchy") { hierarchyMessages += result.count }
        }
        print("round \(round): " + r.map { "\($0.0) \(Int($0.1.rate)) msg/s" }.joined(separator: ", "))
    }
    let kmsCalls = transport.totalCount
    let ddbCalls = await dynamoCalls(dynamoDB) - dynamoBefore

    func f(_ x: Double) -> String { String(format: "%.0f", x) }
    print("")
    print("| case (1 KiB, 0x0478, 1 task) | msg/s (best of \(rounds)) | ratio to raw AES |")
    print("|---|---|---|")
    for side in ["encrypt", "decrypt"] {
        let rawRate = best["raw AES \(side)"]!, hRate = best["hierarchy \(side)"]!
        print("| raw AES \(side) | \(f(rawRate)) | 1.00 |")
        print("| hierarchy \(side) | \(f(hRate)) | \(String(format: "%.2f", hRate / rawRate)) |")
    }
    print("")
    print("TTL 600 s, warm cache: \(hierarchyMessages) hierarchy messages, \(kmsCalls) KMS calls, \(ddbCalls) DynamoDB calls"
          + " (per 10,000 messages: \(String(format: "%.3f", Double(kmsCalls) * 10_000 / Double(hierarchyMessages))) KMS,"
          + " \(String(format: "%.3f", Double(ddbCalls) * 10_000 / Double(hierarchyMessages))) DynamoDB)")

    // Calls per TTL window: a fresh keyring (cold cache) with a short TTL, encrypting and decrypting
    // for several windows.
    let short = try HierarchicalKeyring(store: store, branchKeyIdentifier: branchKeyID, ttl: .milliseconds(Int(shortTTL * 1000)))
    transport.reset()
    let ddbShortBefore = await dynamoCalls(dynamoDB)
    let started = ContinuousClock.now
    let shortRun = try await rate(seconds * Double(rounds)) {
        let m = try await client.encrypt(plaintext, keyring: short, encryptionContext: context, suite: suite)
        _ = try await client.decrypt(m.ciphertext, keyring: short)
    }
    let elapsed = started.duration(to: ContinuousClock.now)
    let windows = Int((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / shortTTL) + 1
    let shortKMS = transport.totalCount, shortDDB = await dynamoCalls(dynamoDB) - ddbShortBefore
    print("TTL \(shortTTL) s, cold cache: \(shortRun.count) encrypt+decrypt pairs over at most \(windows) TTL windows: "
          + "\(shortKMS) KMS calls, \(shortDDB) DynamoDB calls for one branch key on two cache entries (active, version): "
          + "\(String(format: "%.2f", Double(shortKMS) / Double(windows * 2))) KMS and \(String(format: "%.2f", Double(shortDDB) / Double(windows * 2))) DynamoDB calls per window per entry")
}

let finished = DispatchSemaphore(value: 0)
Task.detached {
    do { try await run() } catch { print("failed: \(error)"); exit(1) }
    finished.signal()
}
finished.wait()
