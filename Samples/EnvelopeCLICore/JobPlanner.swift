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
    case file(String)

    var display: String {
        switch self {
        case .stdout: "-"
        case .file(let path): path
        }
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
/// output to a terminal, existing outputs without `--force`, an output that is its own input.
enum JobPlanner {
    static func plan(input: String, output: String, recursive: Bool, suffix: String, force: Bool,
                     stdoutIsTerminal: Bool = StandardStreams.stdoutIsTerminal) throws(CLIError) -> [MessageJob] {
        let jobs = try makeJobs(input: input, output: output, recursive: recursive, suffix: suffix)
        if jobs.contains(where: { $0.output == .stdout }) && stdoutIsTerminal {
            throw CLIError(.cannotCreate, "refusing to write binary output to a terminal",
                           hint: "redirect stdout (> FILE or | COMMAND), or use -o FILE")
        }
        var seenOutputs = Set<String>()
        var existing: [String] = []
        for job in jobs {
            guard case .file(let out) = job.output else { continue }
            if case .file(let inPath) = job.input, sameFile(inPath, out) {
                throw .usage("the output \(out) is the input itself", hint: "write to another file; the output replaces its target only when complete")
            }
            guard seenOutputs.insert(out).inserted else {
                throw .usage("two inputs would write the same output \(out)", hint: "use another --suffix or output directory")
            }
            var info = stat()
            if lstat(out, &info) == 0 {
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    throw CLIError(.cannotCreate, "the output \(out) is a directory", hint: "give a file name with -o")
                }
                existing.append(out)
            }
        }
        if !force, let first = existing.first {
            let more = existing.count > 1 ? " (and \(existing.count - 1) more)" : ""
            throw CLIError(.cannotCreate, "the output \(first) already exists\(more); nothing was written",
                           hint: "choose another -o or --suffix, or pass --force to replace existing outputs")
        }
        return jobs
    }

    private static func makeJobs(input: String, output: String, recursive: Bool, suffix: String) throws(CLIError) -> [MessageJob] {
        if input == "-" {
            if output != "-", isDirectory(output) {
                throw .usage("-o \(output) is a directory, but stdin has no file name to put in it", hint: "give -o FILE or -o - for stdout")
            }
            return [MessageJob(input: .stdin, output: output == "-" ? .stdout : .file(output), size: nil)]
        }
        var info = stat()
        guard stat(input, &info) == 0 else {
            throw CLIError(.noInput, "the input \(input) cannot be read: \(String(cString: strerror(errno)))", hint: "check the path given to -i")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard recursive else {
                throw .usage("the input \(input) is a directory", hint: "pass -r to process every file under it (outputs get --suffix)")
            }
            guard output != "-" else {
                throw .usage("a directory cannot be written to stdout", hint: "give -o DIRECTORY")
            }
            if fileExists(output) && !isDirectory(output) {
                throw .usage("-o \(output) must be a directory when -i is a directory", hint: "give -o DIRECTORY (created if missing)")
            }
            return try directoryJobs(input: input, output: output, suffix: suffix)
        }
        guard access(input, R_OK) == 0 else {
            throw CLIError(.noInput, "the input \(input) is not readable: \(String(cString: strerror(errno)))")
        }
        if output == "-" { return [MessageJob(input: .file(input), output: .stdout, size: Int64(info.st_size))] }
        if isDirectory(output) {
            let name = URL(fileURLWithPath: input).lastPathComponent + suffix
            return [MessageJob(input: .file(input), output: .file(join(output, name)), size: Int64(info.st_size))]
        }
        return [MessageJob(input: .file(input), output: .file(output), size: Int64(info.st_size))]
    }

    /// Every regular file under `input` (symbolic links and our own temporary files are skipped;
    /// so is the output directory when it lies inside the input), mirrored under `output` with `suffix`.
    private static func directoryJobs(input: String, output: String, suffix: String) throws(CLIError) -> [MessageJob] {
        let root = URL(fileURLWithPath: input).standardizedFileURL.path
        let outRoot = URL(fileURLWithPath: output).standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw CLIError(.noInput, "cannot list the directory \(input)")
        }
        var jobs: [MessageJob] = []
        var relatives: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = join(root, relative)
            if full == outRoot || full.hasPrefix(outRoot + "/") {
                enumerator.skipDescendants()
                continue
            }
            var info = stat()
            guard lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let name = URL(fileURLWithPath: relative).lastPathComponent
            if name.hasPrefix("."), name.hasSuffix(".tmp"), name.contains(".envelope-") { continue }
            relatives.append(relative)
        }
        for relative in relatives.sorted() {
            let full = join(root, relative)
            var info = stat()
            _ = stat(full, &info)
            jobs.append(MessageJob(input: .file(full), output: .file(join(output, relative + suffix)), size: Int64(info.st_size)))
        }
        return jobs
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
