// A statistical timing check of RSA PKCS #1 v1.5 unwrapping with implicit rejection (issue 15,
// point 2): valid ciphertexts, ciphertexts with bad padding and ciphertexts of secrets of the
// wrong length are unwrapped in a random interleaved order, and Welch's t-test compares the
// timing of each invalid class with the valid one (the dudect method: |t| above 4.5 is evidence
// of a timing difference). Timing belongs here, not in the tests: its verdict depends on the
// machine and its load. Run (release build):
//   swift run -c release envelope-bench-rsa-timing [SAMPLES_PER_CLASS]
// Exit status 0 when every |t| < 4.5, 1 otherwise.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

struct Stats {
    var samples: [Double] = []

    /// The middle sample: robust against the long tail a loaded machine adds.
    var median: Double { samples.sorted()[samples.count / 2] }

    /// Mean and variance of the samples at or below `threshold` (one threshold for every class,
    /// as dudect crops: preemption and page faults land in the long tail, and a loaded machine
    /// puts far more than a fixed share of each class there).
    func cropped(at threshold: Double) -> (mean: Double, variance: Double, n: Double) {
        let kept = samples.filter { $0 <= threshold }
        let n = Double(kept.count)
        let mean = kept.reduce(0, +) / n
        let variance = kept.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, variance, n)
    }
}

func welchT(_ a: Stats, _ b: Stats, croppedAt threshold: Double) -> Double {
    let x = a.cropped(at: threshold), y = b.cropped(at: threshold)
    return (x.mean - y.mean) / (x.variance / x.n + y.variance / y.n).squareRoot()
}

let perClass = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5000 : 5000
let key = try RSAPrivateKey(generatingBits: 2048)
let pool = 64
func ciphertexts(_ make: () throws -> [UInt8]) rethrows -> [[UInt8]] { try (0..<pool).map { _ in try make() } }
let classes: [(name: String, inputs: [[UInt8]])] = [
    ("valid", try ciphertexts { try key.publicKey.encrypt(try RandomBytes.secure(count: 32), padding: .pkcs1) }),
    ("bad padding", try ciphertexts {
        var bytes = try RandomBytes.secure(count: 256).unprotectedCopy()
        bytes[0] &= 0x7F
        return bytes
    }),
    ("wrong length", try ciphertexts { try key.publicKey.encrypt(try RandomBytes.secure(count: 31), padding: .pkcs1) }),
]
var stats = [Stats](repeating: Stats(), count: classes.count)
var order: [Int] = []
for c in classes.indices { order += [Int](repeating: c, count: perClass) }
order.shuffle()
// Warm up (page in code and tables).
for c in classes.indices { for input in classes[c].inputs.prefix(8) { _ = try key.unwrapPKCS1(input, expectedLength: 32) } }
for (i, c) in order.enumerated() {
    let input = classes[c].inputs[i % pool]
    let start = nanoseconds()
    let secret = try key.unwrapPKCS1(input, expectedLength: 32)
    let elapsed = nanoseconds() - start
    precondition(secret.count == 32)
    stats[c].samples.append(Double(elapsed))
}
// Cropped at the 90th percentile of all samples together.
let pooled = stats.flatMap(\.samples).sorted()
let threshold = pooled[pooled.count * 9 / 10]
var worst = 0.0
print("RSA-2048 PKCS#1 v1.5 unwrap with implicit rejection, \(perClass) samples per class, cropped at \(Int(threshold)) ns (90th percentile)")
for c in classes.indices {
    let s = stats[c].cropped(at: threshold)
    print("  \(classes[c].name): mean \(Int(s.mean)) ns, standard deviation \(Int(s.variance.squareRoot())) ns, median \(Int(stats[c].median)) ns")
}
for c in classes.indices.dropFirst() {
    let t = welchT(stats[0], stats[c], croppedAt: threshold)
    worst = max(worst, abs(t))
    print("  t(valid vs \(classes[c].name)) = \(t)")
}
print(worst < 4.5 ? "no timing difference detected (|t| < 4.5)" : "TIMING DIFFERENCE: |t| = \(worst) >= 4.5")
exit(worst < 4.5 ? 0 : 1)
