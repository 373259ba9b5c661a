#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where one message's input comes from.
enum InputSource: Sendable, Equatable {
    case stdin
    case file(String)

    var display: String {
        switch self {
        case .stdin: "-"
        case .file(let path): path
        }
    }
}

/// Where one message's output goes.
enum OutputTarget: Sendable, Equatable {
    case stdout
    /// A regular file, written through a temporary file renamed into place when complete.
    case file(String)
    /// A character device, FIFO or socket (`/dev/null`, a named pipe): written directly, never
    /// created, replaced or removed.
    case device(String)

    var display: String {
        switch self {
        case .stdout: "-"
        case .file(let path), .device(let path): path
        }
    }

    /// Whether bytes reach the target as they are produced (so an interrupted or failed run may
    /// have released some of them).
    var isStream: Bool {
        if case .file = self { return false }
        return true
    }
}

/// What `-i`, `-o`, `-r` and the naming options ask for (see ``JobPlanner/plan(_:)``).
struct PlanRequest {
    var input: String
    var output: String
    var recursive = false
    /// Appended to output names when the output is a directory.
    var suffix: String
    /// Decrypt: removed from input names that end with it before `suffix` is appended (nil: none).
    var stripSuffix: String? = nil
    /// Used instead of `suffix` for names that lost `stripSuffix` (decrypt: "" restores the name).
    var strippedSuffix: String = ""
    var force = false
    /// Create missing parent directories of a single output file (`--create-dirs`).
    var createDirectories = false
    /// Leave messages whose output exists alone instead of refusing the run (`--skip-existing`).
    var skipExisting = false
}

/// The messages to process and what a directory run left out, and why.
struct Plan {
    var jobs: [MessageJob]
    /// Why files were skipped, with counts (e.g. "symbolic link": 2).
    var skipped: [String: Int] = [:]
    /// Whether the input was a directory (a summary line is printed then).
    var isDirectoryRun = false

    mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

    /// "2 skipped (1 existing output, 1 symbolic link)", or "" when nothing was skipped.
    var skippedSummary: String {
        let total = skipped.values.reduce(0, +)
        guard total > 0 else { return "" }
        let parts = skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        return "\(total) skipped (\(parts.joined(separator: ", ")))"
    }
}

/// One message to encrypt or decrypt.
struct MessageJob: Sendable, Equatable {
    let input: InputSource
    let output: OutputTarget
    /// The input size when it is a file.
    let size: Int64?
}

/// Turns `-i`, `-o`, `-r` and `--suffix` into the list of messages to process, refusing what
/// must be refused before any key is used: a missing input, a directory without `-r`, binary
/// output to a terminal, existing outputs without `--force`, an output that is its own input,
/// an output whose directory is missing (without `-r` or `--create-dirs`).
enum JobPlanner {
    /// Paths that name this process's standard output.
    static let stdoutAliases: Set<String> = ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]

    static func plan(_ request: PlanRequest, stdoutIsTerminal: Bool = StandardStreams.stdoutIsTerminal) throws(CLIError) -> Plan {
        var plan = try makeJobs(request)
        if plan.jobs.contains(where: { $0.output == .stdout }) && stdoutIsTerminal {
            throw CLIError(.cannotCreate, "refusing to write binary output to a terminal",
                           hint: "redirect stdout (> FILE or | COMMAND), or use -o FILE")
        }
        var seenOutputs = Set<String>()
        var existing: [String] = []
        var kept: [MessageJob] = []
        for job in plan.jobs {
            if case .device(let device) = job.output, isTerminal(device) {
                throw CLIError(.cannotCreate, "refusing to write binary output to the terminal \(device)", hint: "use -o FILE, or -o - into a pipe")
            }
            guard case .file(let out) = job.output else { kept.append(job); continue }
            if case .file(let inPath) = job.input, sameFile(inPath, out) {
                throw .usage("the output \(out) is the input itself", hint: "write to another file; the output replaces its target only when complete")
            }
            guard seenOutputs.insert(out).inserted else {
                throw .usage("two inputs would write the same output \(out)", hint: "use another --suffix or output directory")
            }
            var info = stat()
            if lstat(out, &info) == 0 {
                try AtomicOutputFile.checkReplaceable(out, info)
                if request.skipExisting {
                    plan.skip("existing output")
                    continue
                }
                existing.append(out)
            } else if !request.recursive && !request.createDirectories {
                let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
                if !parent.isEmpty, !isDirectory(parent) {
                    throw CLIError(.cannotCreate, "the output directory \(parent) does not exist; nothing was written",
                                   hint: "create it first, or pass --create-dirs")
                }
            }
            kept.append(job)
        }
        if !request.force, let first = existing.first {
            let more = existing.count > 1 ? " (and \(existing.count - 1) more)" : ""
            throw CLIError(.cannotCreate, "the output \(first) already exists\(more); nothing was written",
                           hint: "choose another -o or --suffix, pass --skip-existing to leave existing outputs alone, or --force to replace them")
        }
        plan.jobs = kept
        return plan
    }

    /// The output target a single `-o` names: stdout, a device or FIFO written directly, or a file.
    static func target(_ output: String) -> OutputTarget {
        if stdoutAliases.contains(output) { return .stdout }
        var info = stat()
        if stat(output, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFCHR, S_IFIFO, S_IFSOCK: return .device(output)
            default: break
            }
        }
        return .file(output)
    }

    private static func makeJobs(_ request: PlanRequest) throws(CLIError) -> Plan {
        let input = request.input, output = request.output
        if input == "-" {
            if output != "-", isDirectory(output) {
                throw .usage("-o \(output) is a directory, but stdin has no file name to put in it", hint: "give -o FILE or -o - for stdout")
            }
            return Plan(jobs: [MessageJob(input: .stdin, output: target(output), size: nil)])
        }
        var info = stat()
        guard stat(input, &info) == 0 else {
            throw CLIError(.noInput, "the input \(input) cannot be read: \(String(cString: strerror(errno)))", hint: "check the path given to -i")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard request.recursive else {
                throw .usage("the input \(input) is a directory", hint: "pass -r to process every file under it (outputs get --suffix)")
            }
            guard target(output) == .file(output) else {
                throw .usage("a directory cannot be written to \(output == "-" ? "stdout" : output)", hint: "give -o DIRECTORY")
            }
            if fileExists(output) && !isDirectory(output) {
                throw .usage("-o \(output) must be a directory when -i is a directory", hint: "give -o DIRECTORY (created if missing)")
            }
            return try directoryJobs(request)
        }
        guard access(input, R_OK) == 0 else {
            throw CLIError(.noInput, "the input \(input) is not readable: \(String(cString: strerror(errno)))")
        }
        let size = (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        if isDirectory(output) {
            let name = outputName(URL(fileURLWithPath: input).lastPathComponent, request)
            return Plan(jobs: [MessageJob(input: .file(input), output: .file(join(output, name)), size: size)])
        }
        return Plan(jobs: [MessageJob(input: .file(input), output: target(output), size: size)])
    }

    /// The output name of an input named `name` in a directory run: decrypt strips `stripSuffix`
    /// when the name ends with it (and appends `strippedSuffix`), else `suffix` is appended.
    static func outputName(_ name: String, _ request: PlanRequest) -> String {
        if let strip = request.stripSuffix, !strip.isEmpty, name.hasSuffix(strip), name.count > strip.count {
            return String(name.dropLast(strip.count)) + request.strippedSuffix
        }
        return name + request.suffix
    }

    /// Every regular file under `input` (symbolic links, special files and our own temporary
    /// files are skipped; so is the output directory when it lies inside the input), mirrored
    /// under `output` with the naming rules of ``outputName(_:_:)``. In place (`-o` the same
    /// directory), outputs go next to their inputs and files that already carry the output
    /// naming are left alone, so a run never processes an output of its own or of an earlier run.
    private static func directoryJobs(_ request: PlanRequest) throws(CLIError) -> Plan {
        let root = URL(fileURLWithPath: request.input).standardizedFileURL.path
        let outRoot = URL(fileURLWithPath: request.output).standardizedFileURL.path
        let inPlace = root == outRoot || sameFile(root, outRoot)
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw CLIError(.noInput, "cannot list the directory \(request.input)")
        }
        var plan = Plan(jobs: [], isDirectoryRun: true)
        var relatives: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = join(root, relative)
            if !inPlace, full == outRoot || full.hasPrefix(outRoot + "/") {
                enumerator.skipDescendants()
                continue
            }
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: continue
            case S_IFLNK: plan.skip("symbolic link"); continue
            default: plan.skip("not a regular file"); continue
            }
            let name = URL(fileURLWithPath: relative).lastPathComponent
            if TemporaryFileName.matches(name) { plan.skip("temporary file"); continue }
            if inPlace {
                if let strip = request.stripSuffix, !strip.isEmpty {
                    // Decrypt in place: only names that carry the encrypt suffix are messages.
                    guard name.hasSuffix(strip), name.count > strip.count else { plan.skip("not named *\(strip)"); continue }
                } else if !request.suffix.isEmpty, name.hasSuffix(request.suffix) {
                    plan.skip("already named *\(request.suffix)")
                    continue
                }
            }
            relatives.append(relative)
        }
        for relative in relatives.sorted() {
            let full = join(root, relative)
            var info = stat()
            _ = stat(full, &info)
            let slash = relative.lastIndex(of: "/")
            let name = outputName(slash.map { String(relative[relative.index(after: $0)...]) } ?? relative, request)
            let outRelative = slash.map { String(relative[...$0]) + name } ?? name
            plan.jobs.append(MessageJob(input: .file(full), output: .file(join(request.output, outRelative)), size: Int64(info.st_size)))
        }
        return plan
    }

    /// Whether `path` is a terminal device.
    static func isTerminal(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR else { return false }
        let fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return isatty(fd) == 1
    }

    /// Creates the parent directories of an output file (mode 0755 minus the umask).
    static func createParentDirectory(of path: String) throws(CLIError) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard !parent.isEmpty, !isDirectory(parent) else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw CLIError(.cannotCreate, "cannot create the output directory \(parent): \(error.localizedDescription)")
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}
