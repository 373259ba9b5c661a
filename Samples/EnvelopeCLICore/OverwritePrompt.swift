#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--interactive`: asks before replacing each existing output, as aws-encryption-cli does
/// (`Overwrite existing output file "F" with new contents? [y/N]:`; only an answer starting with
/// y or Y replaces). The question goes to stderr, the answer comes from the terminal on stdin; when
/// stdin is not a terminal nothing is asked and an existing output is refused, as without the flag.
enum OverwritePrompt {
    /// Checks `--force`, `--interactive` and `--no-overwrite` together.
    static func validate(force: Bool, interactive: Bool, noOverwrite: Bool) throws(CLIError) {
        if noOverwrite && (force || interactive) {
            throw .usage("--no-overwrite cannot be combined with \(force ? "--force" : "--interactive")",
                         hint: "--no-overwrite (the default) refuses existing outputs; --force replaces them; --interactive asks")
        }
        if force && interactive {
            throw .usage("--force and --interactive contradict each other", hint: "--force replaces existing outputs without asking; --interactive asks for each")
        }
    }

    /// The jobs to run: each job whose output file exists is kept only if the user says yes.
    /// `ask` reads one answer (tests replace it); `stdinIsTerminal` says whether asking is possible.
    static func confirm(_ jobs: [MessageJob], stdinIsTerminal: Bool = StandardStreams.stdinIsTerminal,
                        ask: (String) -> String? = askTerminal) throws(CLIError) -> [MessageJob] {
        var kept: [MessageJob] = []
        for job in jobs {
            guard case .file(let path) = job.output, isRegularFile(path) else {
                kept.append(job)
                continue
            }
            guard stdinIsTerminal, job.input != .stdin else {
                throw CLIError(.cannotCreate, "the output \(path) already exists and --interactive cannot ask: stdin is not a terminal",
                               hint: "use --force to replace it, or choose another -o")
            }
            let answer = ask("Overwrite existing output file \"\(path)\" with new contents? [y/N]: ")
            if let first = answer?.first, first == "y" || first == "Y" {
                kept.append(job)
            } else {
                StandardStreams.printStderr("envelope: skipped \(path) (kept the existing file)\n")
            }
        }
        return kept
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Writes `question` to stderr and reads one line from stdin (nil at end of input).
    static func askTerminal(_ question: String) -> String? {
        StandardStreams.printStderr(question)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(STDIN_FILENO, &byte, 1) == 1 {
            if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }
}
