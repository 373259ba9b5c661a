// Small-message rates through the public API, for `make bench-small` (Benchmarks/small_messages.py
// prints the table). Each case loops for a fixed time and prints "name value" lines:
//
//   envelope-bench-small single SECONDS   one-core cases (run it under `taskset -c 0`)
//   envelope-bench-small multi SECONDS    small messages from one task per core, all cores
//   envelope-bench-small encrypt|decrypt SECONDS   the raw-key 1 KiB case alone, and its mallocs per message (for a profiler)
import EnvelopeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
enum SmallBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let seconds = Double(arguments[2]) else {
            print("usage: envelope-bench-small single|multi|encrypt|decrypt SECONDS")
            exit(2)
        }
        switch arguments[1] {
        case "single": try await single(seconds)
        case "multi": try await multi(seconds)
        case "encrypt", "decrypt":
            try await alone(arguments[1] == "encrypt", seconds)
        default:
            print("usage: envelope-bench-small single|multi|encrypt|decrypt SECONDS")
            exit(2)
        }
        if sink == 42 { print("") }
    }
}
