// The cases of envelope-bench-small. Globals live here, not in the entry file, so they are not
// main-actor isolated: a measured loop must never hop to the main actor.
import CMallocCounter
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let kib = 1024
let mib = 1024 * 1024
let committing = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
let signed = AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384
/// The same context the Python ESDK comparison uses.
let context: EncryptionContext = ["purpose": "bench-small"]

func pseudoRandom(_ count: Int) -> [UInt8] {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        return UInt8(truncatingIfNeeded: x)
    }
}

let keyring: RawAESKeyring = {
    let key = try! SecureBytes(copying: (0..<32).map { UInt8($0) })
    return try! RawAESKeyring(keyNamespace: "bench", keyName: "bench-key", wrappingKey: key)
}()

/// Keeps results alive so the optimizer cannot drop the work.
nonisolated(unsafe) var sink = 0

/// Seconds on the clock the one-core cases are timed with: the CPU time of the process, as
/// `openssl speed` times its own loops, so the ratios to OpenSSL's figures hold on a shared,
/// loaded machine. The all-core case uses wall-clock time (`cpuTime: false`).
func now(cpuTime: Bool) -> Double {
    var t = timespec()
    clock_gettime(cpuTime ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `body` repeatedly for `seconds` and returns operations per second.
func rate(_ seconds: Double, cpuTime: Bool = true, _ body: () async throws -> Int) async throws -> Double {
    // Warm-up: first calls fetch algorithms, fill caches and fault in pages.
    for _ in 0..<50 { sink &+= try await body() }
    let start = now(cpuTime: cpuTime)
    var count = 0
    var elapsed = 0.0
    repeat {
        for _ in 0..<16 { sink &+= try await body() }
        count += 16
        elapsed = now(cpuTime: cpuTime) - start
    } while elapsed < seconds
    return Double(count) / elapsed
}

/// Heap allocations per call of `body`, averaged over `iterations` calls.
func mallocs(_ iterations: Int, _ body: () async throws -> Int) async throws -> Double {
    for _ in 0..<50 { sink &+= try await body() }
    let before = envelope_malloc_count()
    for _ in 0..<iterations { sink &+= try await body() }
    return Double(envelope_malloc_count() - before) / Double(iterations)
}

func emit(_ name: String, _ value: Double) {
    print("\(name) \(value)")
}

/// A caching materials manager over a KMS keyring on an in-process local KMS.
func cachingKMSManager() async throws -> CachingMaterialsManager {
    let account: AWSAccountID = "109876543210"
    let user = AWSPrincipalARN("arn:aws:iam::109876543210:user/BenchUser")!
    let kms = try LocalKMS()
    let key = try await kms.createKey(account: account, userPrincipals: [user]).arn
    let kmsKeyring = try KMSKeyring(keyARN: key, transport: kms.client(principal: user))
    return try CachingMaterialsManager(keyring: kmsKeyring, cache: LocalMaterialsCache(capacity: 100), maxAge: .seconds(3600))
}

func single(_ seconds: Double) async throws {
    let client = EnvelopeClient()
    let small = pseudoRandom(kib)

    // 1 KiB, 0x0478, raw AES key.
    let rawMessage = try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing).ciphertext
    let encryptRaw = { try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing).ciphertext.count }
    let decryptRaw = { try await client.decrypt(rawMessage, keyring: keyring).plaintext.count }
    emit("raw_encrypt_per_s", try await rate(seconds, encryptRaw))
    emit("raw_decrypt_per_s", try await rate(seconds, decryptRaw))
    if envelope_malloc_counter_active() != 0 {
        emit("raw_encrypt_mallocs", try await mallocs(2000, encryptRaw))
        emit("raw_decrypt_mallocs", try await mallocs(2000, decryptRaw))
    }

    // The bound of the two rows above and of the malloc row: the key derivation every 0x0478
    // message needs, OpenSSL's HKDF-SHA-512 (EVP_KDF) called as the SDK calls it, one extract and
    // two expands (the message key and the commitment), alone.
    let hkdf = try committingDerivation()
    emit("hkdf_committing_per_s", try await rate(seconds, hkdf))
    if envelope_malloc_counter_active() != 0 { emit("hkdf_committing_mallocs", try await mallocs(2000, hkdf)) }

    // 1 KiB, 0x0478, KMS keyring through the caching materials manager, cache hits.
    let manager = try await cachingKMSManager()
    let kmsMessage = try await client.encrypt(small, materialsManager: manager, encryptionContext: context, suite: committing).ciphertext
    emit("kms_cached_encrypt_per_s", try await rate(seconds) {
        try await client.encrypt(small, materialsManager: manager, encryptionContext: context, suite: committing).ciphertext.count
    })
    emit("kms_cached_decrypt_per_s", try await rate(seconds) {
        try await client.decrypt(kmsMessage, materialsManager: manager).plaintext.count
    })

    // 1 KiB, 0x0578 (a fresh P-384 key and signature per message), and the P-384 key generation
    // rate through the same EVP call the SDK uses (the sign/verify bounds come from `openssl speed`).
    let signedMessage = try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: signed).ciphertext
    emit("signed_encrypt_per_s", try await rate(seconds) {
        try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: signed).ciphertext.count
    })
    emit("signed_decrypt_per_s", try await rate(seconds) {
        try await client.decrypt(signedMessage, keyring: keyring).plaintext.count
    })
    emit("p384_keygen_per_s", try await rate(seconds) { try ECDSAPrivateKey(generatingOn: .p384).curve.compressedPointLength })

    // 1 MiB one-shot in memory, 0x0478, one core.
    let big = pseudoRandom(mib)
    let bigMessage = try await client.encrypt(big, keyring: keyring, encryptionContext: context, suite: committing).ciphertext
    emit("mib_encrypt_bytes_per_s", Double(mib) * (try await rate(seconds) {
        try await client.encrypt(big, keyring: keyring, encryptionContext: context, suite: committing).ciphertext.count
    }))
    emit("mib_decrypt_bytes_per_s", Double(mib) * (try await rate(seconds) {
        try await client.decrypt(bigMessage, keyring: keyring).plaintext.count
    }))
    // The same with 64 KiB frames (the block size OpenSSL's figure uses): the per-frame cost of
    // the default 4 KiB frames, shown beside the bound.
    let bigFrame = 64 * kib
    let bigMessage64k = try await client.encrypt(big, keyring: keyring, encryptionContext: context, suite: committing,
                                                 frameLength: bigFrame).ciphertext
    emit("mib64k_encrypt_bytes_per_s", Double(mib) * (try await rate(seconds) {
        try await client.encrypt(big, keyring: keyring, encryptionContext: context, suite: committing, frameLength: bigFrame).ciphertext.count
    }))
    emit("mib64k_decrypt_bytes_per_s", Double(mib) * (try await rate(seconds) {
        try await client.decrypt(bigMessage64k, keyring: keyring).plaintext.count
    }))
}

/// Small messages from one task, then from one task per core at once (encrypt then decrypt of
/// its own message), timed by the wall clock.
func multi(_ seconds: Double) async throws {
    let cores = EnvelopeClient.availableCores
    let single = try await tasks(1, seconds)
    let all = try await tasks(cores, seconds)
    emit("cores", Double(cores))
    emit("one_task_encrypt_per_s", single.0)
    emit("one_task_decrypt_per_s", single.1)
    emit("multi_encrypt_per_s", all.0)
    emit("multi_decrypt_per_s", all.1)
    // The bound: OpenSSL's HKDF-SHA-512 alone, called as a 0x0478 message calls it, from one task
    // and from one task per core in this process (its fetches, locks and shared reference counts
    // are what threads of one process share).
    emit("hkdf_one_task_per_s", try await derivationTasks(1, seconds))
    emit("hkdf_multi_per_s", try await derivationTasks(cores, seconds))
}

func derivationTasks(_ count: Int, _ seconds: Double) async throws -> Double {
    try await withThrowingTaskGroup(of: Double.self) { group in
        for _ in 0..<count {
            group.addTask { try await rate(seconds, cpuTime: false, try committingDerivation()) }
        }
        return try await group.reduce(0, +)
    }
}

func tasks(_ count: Int, _ seconds: Double) async throws -> (Double, Double) {
    let client = EnvelopeClient()
    let small = pseudoRandom(kib)
    return try await withThrowingTaskGroup(of: (Double, Double).self) { group in
        for _ in 0..<count {
            group.addTask {
                let message = try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing).ciphertext
                let e = try await rate(seconds, cpuTime: false) {
                    try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing).ciphertext.count
                }
                let d = try await rate(seconds, cpuTime: false) { try await client.decrypt(message, keyring: keyring).plaintext.count }
                return (e, d)
            }
        }
        var total = (0.0, 0.0)
        for try await (e, d) in group { total.0 += e; total.1 += d }
        return total
    }
}


/// One raw-key message of `size` bytes (default 1 KiB) in frames of `frameLength`, encrypted or
/// decrypted, per call of the returned closure.
func rawKeyMessage(_ encrypt: Bool, size: Int = kib, frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> () async throws -> Int {
    let client = EnvelopeClient()
    let small = pseudoRandom(size)
    let message = try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing,
                                           frameLength: frameLength).ciphertext
    return {
        encrypt
            ? try await client.encrypt(small, keyring: keyring, encryptionContext: context, suite: committing,
                                       frameLength: frameLength).ciphertext.count
            : try await client.decrypt(message, keyring: keyring).plaintext.count
    }
}

/// The raw-key 1 KiB case alone, encrypt or decrypt (for a profiler).
func alone(_ encrypt: Bool, _ seconds: Double) async throws {
    let body = try await rawKeyMessage(encrypt)
    emit(encrypt ? "encrypt" : "decrypt", try await rate(seconds, body))
    if envelope_malloc_counter_active() != 0 { emit("mallocs", try await mallocs(2000, body)) }
}

/// Exactly `count` raw-key 1 KiB messages after 50 warm-up ones, untimed (for instruction counts).
/// With `mib`, 1 MiB messages in frames of `BENCH_FRAME` bytes (default 4096), for the
/// per-frame cost.
func counted(_ encrypt: Bool, _ count: Int, mib big: Bool = false) async throws {
    let frame = getenv("BENCH_FRAME").flatMap { Int(String(cString: $0)) } ?? EnvelopeClient.defaultFrameLength
    let body = try await rawKeyMessage(encrypt, size: big ? mib : kib, frameLength: frame)
    emit("mallocs", try await mallocs(count, body))
}

/// Exactly `count` 1 KiB messages through the KMS keyring behind the caching materials manager
/// (every one a cache hit) after 50 warm-up ones, untimed (for instruction counts).
func countedCached(_ encrypt: Bool, _ count: Int) async throws {
    let client = EnvelopeClient()
    let small = pseudoRandom(kib)
    let manager = try await cachingKMSManager()
    let message = try await client.encrypt(small, materialsManager: manager, encryptionContext: context, suite: committing).ciphertext
    emit("mallocs", try await mallocs(count) {
        encrypt
            ? try await client.encrypt(small, materialsManager: manager, encryptionContext: context, suite: committing).ciphertext.count
            : try await client.decrypt(message, materialsManager: manager).plaintext.count
    })
}

/// One key derivation of suite 0x0478 per call (HKDF-SHA-512 through EnvelopeCrypto, that is
/// OpenSSL's EVP_KDF): extract with the message ID as salt, then expand the message key and the
/// commitment. The inputs are fixed; the work does not depend on them.
func committingDerivation() throws -> () async throws -> Int {
    let dataKey = try SecureBytes(copying: pseudoRandom(32))
    let messageID = pseudoRandom(32)
    let keyInfo: [UInt8] = [0x04, 0x78] + Array("DERIVEKEY".utf8)
    let commitInfo = Array("COMMITKEY".utf8)
    return {
        try withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { commitment in
            let key = try HKDF.session(hash: .sha512) { kdf in
                let prk = try messageID.withUnsafeBytes { try kdf.extract(inputKey: dataKey, salt: $0) }
                let key = try keyInfo.withUnsafeBytes { try kdf.expandKey(pseudorandomKey: prk, info: $0, length: 32) }
                try commitInfo.withUnsafeBytes { try kdf.expand(pseudorandomKey: prk, info: $0, into: commitment) }
                return key
            }
            return key.count &+ Int(commitment[0])
        }
    }
}
