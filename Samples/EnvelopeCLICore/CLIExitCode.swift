/// The exit statuses of `envelope` (documented in `envelope --help` and Samples/envelope/README.md).
///
/// The numbers follow BSD `sysexits.h`, so scripts can tell a bad command line from a bad message
/// from a refusal by KMS without parsing stderr.
public enum CLIExitCode: Int32, Sendable, CaseIterable {
    /// Everything succeeded.
    case success = 0
    /// A failure none of the codes below describes.
    case failure = 1
    /// The command line is wrong: unknown option, malformed SPEC, ARN or context pair, a refused
    /// combination (`decrypt --encrypt-only`).
    case usage = 64
    /// The input is not an acceptable message: malformed, modified, base64-encoded, a suite the
    /// commitment policy forbids, too many encrypted data keys, or an encryption context mismatch.
    case dataError = 65
    /// An input file or directory does not exist or cannot be read.
    case noInput = 66
    /// The KMS could not be reached, or the backend is not available in this build.
    case unavailable = 69
    /// An output cannot be created: it already exists (use `--force`), it is a terminal, or its
    /// directory is not writable.
    case cannotCreate = 73
    /// Reading or writing failed part-way.
    case ioError = 74
    /// Access refused: KMS answered an error (`AccessDeniedException`, `NotFoundException`, …) or
    /// none of the wrapping keys could decrypt a data key of the message.
    case accessDenied = 77
    /// The configuration is incomplete or broken: no `--principal`, an unusable `--kms-state`,
    /// missing AWS credentials.
    case configuration = 78

    /// One line per code, for `--help` and the README.
    public static let table: String = """
          0  success
          1  a failure not covered below
         64  usage: bad option, SPEC, ARN or context pair; refused
             combination (decrypt --encrypt-only)
         65  data: not a valid message (malformed, modified, base64),
             suite refused by the commitment policy, too many encrypted
             data keys, encryption context mismatch, malformed policy
         66  no input: an input does not exist or cannot be read
         69  unavailable: KMS unreachable, or backend not in this build
         73  cannot create output: it exists (use --force), stdout is a
             terminal, or its directory is not writable
         74  I/O error while reading or writing
         77  access denied: a KMS error (AccessDeniedException,
             NotFoundException, …) or no wrapping key could decrypt a
             data key
         78  configuration: no --principal, unusable --kms-state,
             missing AWS credentials
        """
}
