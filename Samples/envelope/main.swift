#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCLICore

// `envelope`: see Samples/envelope/README.md and `envelope --help`.
exit(await EnvelopeCLI.run(Array(CommandLine.arguments.dropFirst())))
