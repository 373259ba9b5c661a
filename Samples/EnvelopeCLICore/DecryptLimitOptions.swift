import ArgumentParser
import EnvelopeCore

/// `--max-frame-length`, `--max-header-length`, `--max-body-length`: how large a message decrypt
/// accepts (they bound its memory: about two frames, the header, or a whole non-framed body).
struct DecryptLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-frame-length"), help: ArgumentHelp("Refuse messages whose frames are larger than N bytes (default 67108864, 64 MiB).", valueName: "N"))
    var maxFrameLength: Int?

    @Option(name: .customLong("max-header-length"), help: ArgumentHelp("Refuse messages whose header is larger than N bytes (default 1048576, 1 MiB).", valueName: "N"))
    var maxHeaderLength: Int?

    @Option(name: .customLong("max-body-length"), help: ArgumentHelp("Refuse non-framed messages whose body is larger than N bytes (default 67108864, 64 MiB; it is held in memory until authenticated).", valueName: "N"))
    var maxBodyLength: Int?

    /// The limits, checked to be at least 1.
    func limits() throws(CLIError) -> DecryptionLimits {
        for (name, value) in [("--max-frame-length", maxFrameLength), ("--max-header-length", maxHeaderLength), ("--max-body-length", maxBodyLength)] {
            if let value, value < 1 { throw .usage("\(name) must be at least 1, not \(value)") }
        }
        return DecryptionLimits(maxHeaderLength: maxHeaderLength ?? DecryptionLimits.defaultMaxHeaderLength,
                                maxFrameLength: maxFrameLength ?? DecryptionLimits.defaultMaxFrameLength,
                                maxNonFramedBodyLength: maxBodyLength ?? DecryptionLimits.defaultMaxNonFramedBodyLength)
    }
}
