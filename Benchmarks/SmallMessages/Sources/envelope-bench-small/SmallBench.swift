// Small-message rates through the public API, for `make bench-small` (Benchmarks/small_messages.py
// prints the table). Each case loops for a fixed time and prints "name value" lines:
//
//   envelope-bench-small single SECONDS   one-core cases (run it under `taskset -c 0`), and the
//                                         key derivation of a 0x0478 message alone (OpenSSL's HKDF)
//   envelope-bench-small multi SECONDS    small messages from one task, then one task per core;
//                                         the same for the key derivation alone
//   envelope-bench-small ecdh SECONDS     1 KiB messages through the raw ECDH keyring (P-256, static)
//   envelope-bench-small encrypt|decrypt SECONDS   the raw-key 1 KiB case alone, and its mallocs per message (for a profiler)
//   envelope-bench-small count-encrypt-1m|count-decrypt-1m N   the same with 1 MiB messages in
//                                         frames of BENCH_FRAME bytes (default 4096)
//   envelope-bench-small count-encrypt|count-decrypt N   exactly N raw-key 1 KiB messages after
//                                         50 warm-up ones, untimed: instruction counts per message
//                                         are the difference of two runs under
//                                         `valgrind --tool=callgrind` divided by the difference of N
//   envelope-bench-small count-cached-encrypt|count-cached-decrypt N   the same through the KMS
//                                         keyring behind the caching materials manager (cache hits)
import Dispatch
import EnvelopeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
enum SmallBench {
    // A synchronous entry that waits for the work on a semaphore: an async `main` parks the main
    // thread in libdispatch's `sigsuspend`, which valgrind 3.19 cannot run (it writes to the
    // read-only signal mask libdispatch passes).
    static func main() {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { try await run(CommandLine.arguments) } catch { print("envelope-bench-small: \(error)"); exit(1) }
            done.signal()
        }
        done.wait()
        if sink == 42 { print("") }
    }

    static func run(_ arguments: [String]) async throws {
        guard arguments.count == 3, let amount = Double(arguments[2]) else { usage() }
        switch arguments[1] {
        case "single": try await single(amount)
        case "multi": try await multi(amount)
        case "ecdh": try await rawECDH(amount)
        case "encrypt", "decrypt": try await alone(arguments[1] == "encrypt", amount)
        case "count-encrypt", "count-decrypt": try await counted(arguments[1] == "count-encrypt", Int(amount))
        case "count-cached-encrypt", "count-cached-decrypt": try await countedCached(arguments[1] == "count-cached-encrypt", Int(amount))
        case "count-encrypt-1m", "count-decrypt-1m": try await counted(arguments[1] == "count-encrypt-1m", Int(amount), mib: true)
        default: usage()
        }
    }

    static func usage() -> Never {
        print("usage: envelope-bench-small single|multi|ecdh|encrypt|decrypt SECONDS, or count-encrypt|count-decrypt|count-cached-encrypt|count-cached-decrypt|count-encrypt-1m|count-decrypt-1m N")
        exit(2)
    }
}
