#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto
import Foundation

/// An output file that appears only when complete: bytes go to a temporary file (mode 0600) in
/// the output's directory, which is flushed and renamed into place by ``commit()``. Without
/// `overwrite`, an existing output is never replaced (not even one created while we were writing).
/// ``discard()`` (or an interrupt, see ``TemporaryFileRegistry``) removes the temporary file.
final class AtomicOutputFile {
    /// The final path.
    let path: String
    /// The temporary path while writing.
    let temporaryPath: String
    private let overwrite: Bool
    private var fd: Int32
    private var finished = false

    /// The temporary file's descriptor, open for writing until ``commit()`` or ``discard()``.
    var descriptor: Int32 { fd }

    /// Creates the temporary file; fails at once if `path` exists and `overwrite` is false.
    init(path: String, overwrite: Bool) throws(CLIError) {
        self.path = path
        self.overwrite = overwrite
        try AtomicOutputFile.checkCanCreate(path, overwrite: overwrite)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let folder = directory.isEmpty ? "." : directory
        StaleTemporaryFiles.shared.sweep(folder)
        temporaryPath = folder + "/" + TemporaryFileName.make(for: url.lastPathComponent)
        fd = try TemporaryFileRegistry.shared.create(temporaryPath, for: path)
    }

    deinit { if !finished { discard() } }

    /// Refuses an existing output (unless `overwrite`), and an output that is not a regular file.
    static func checkCanCreate(_ path: String, overwrite: Bool) throws(CLIError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        try checkReplaceable(path, info)
        if !overwrite {
            throw CLIError(.cannotCreate, "the output \(path) already exists", hint: "choose another -o, or pass --force to replace it")
        }
    }

    /// Refuses an existing output that is not a regular file, whatever `--force` says: a
    /// directory, a symbolic link, a device or FIFO (those are written directly, see
    /// ``OutputTarget/device(_:)``), is never unlinked or replaced. `info` is `lstat(path)`.
    static func checkReplaceable(_ path: String, _ info: stat) throws(CLIError) {
        let what: String
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR:
            throw CLIError(.cannotCreate, "the output \(path) is a directory", hint: "give a file name with -o, or use -r to process a directory")
        case S_IFLNK: what = "a symbolic link"
        case S_IFBLK: what = "a block device"
        default: what = "not a regular file"
        }
        throw CLIError(.cannotCreate, "the output \(path) is \(what); envelope replaces only regular files",
                       hint: "give the path of a regular file (or of what the link points to), or remove it yourself")
    }

    /// Appends bytes.
    func write(_ bytes: [UInt8]) throws(CLIError) {
        let code = StandardStreams.writeAll(bytes, to: fd)
        guard code == 0 else {
            throw CLIError(.ioError, "writing \(path) failed: \(String(cString: strerror(code)))", hint: "check the free space of the output's file system")
        }
    }

    /// Flushes and renames the temporary file into place.
    func commit() throws(CLIError) {
        guard !finished else { return }
        defer { finished = true }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd); TemporaryFileRegistry.shared.remove(temporaryPath)
            throw CLIError(.ioError, "flushing \(path) failed: \(reason)")
        }
        close(fd)
        try TemporaryFileRegistry.shared.publish(temporaryPath) { () throws(CLIError) in try moveIntoPlace() }
    }

    /// Renames (or, without `overwrite`, links) the flushed temporary file to the final path.
    private func moveIntoPlace() throws(CLIError) {
        if overwrite {
            guard rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporaryPath)
                throw CLIError(.cannotCreate, "cannot rename the finished output to \(path): \(reason)")
            }
        } else {
            // link() never replaces an existing file: an output created meanwhile is kept.
            guard link(temporaryPath, path) == 0 else {
                let code = errno
                let reason = String(cString: strerror(code))
                unlink(temporaryPath)
                if code == EEXIST {
                    throw CLIError(.cannotCreate, "the output \(path) appeared while it was being written; it was left as it is",
                                   hint: "choose another -o, or pass --force to replace it")
                }
                throw CLIError(.cannotCreate, "cannot create \(path): \(reason)")
            }
            unlink(temporaryPath)
        }
    }

    /// Removes the temporary file; the final path is never touched.
    func discard() {
        guard !finished else { return }
        finished = true
        close(fd)
        TemporaryFileRegistry.shared.remove(temporaryPath)
    }
}

/// The temporary files being written, removed if the process is interrupted (SIGINT, SIGTERM,
/// SIGHUP), so an interrupted run leaves neither a partial output nor litter.
///
/// Creating, publishing and removing a temporary file happen under the same lock as the
/// interrupt's cleanup, and nothing is created or published once an interrupt has begun. So an
/// interrupt either finds a temporary file registered (and removes it) or finds its output
/// already complete under the final name; there is no moment where a file exists unregistered.
final class TemporaryFileRegistry: @unchecked Sendable {
    static let shared = TemporaryFileRegistry()
    private let lock = NSLock()
    private var paths = Set<String>()
    private var interrupted = false
    private var sources: [DispatchSourceSignal] = []

    /// Creates `temporary` exclusively (mode 0600) and registers it, unless an interrupt has begun.
    func create(_ temporary: String, for output: String) throws(CLIError) -> Int32 {
        let result: Result<Int32, CLIError> = lock.withLock {
            guard !interrupted else { return .failure(Self.interruptedError(output)) }
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let directory = URL(fileURLWithPath: temporary).deletingLastPathComponent().path
                return .failure(CLIError(.cannotCreate, "cannot create the output \(output): \(String(cString: strerror(errno)))",
                                         hint: "check that the directory \(directory) exists and is writable"))
            }
            paths.insert(temporary)
            return .success(fd)
        }
        return try result.get()
    }

    /// Runs `move` (which puts `temporary` under its final name) unless an interrupt has begun,
    /// then forgets `temporary`; on an interrupt or a failure the temporary file is removed.
    func publish(_ temporary: String, _ move: () throws(CLIError) -> Void) throws(CLIError) {
        let result: Result<Void, CLIError> = lock.withLock {
            defer { paths.remove(temporary) }
            guard !interrupted else {
                unlink(temporary)
                return .failure(Self.interruptedError(temporary))
            }
            do throws(CLIError) { try move(); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Removes `temporary` and forgets it.
    func remove(_ temporary: String) {
        lock.withLock {
            unlink(temporary)
            paths.remove(temporary)
        }
    }

    private static func interruptedError(_ path: String) -> CLIError {
        CLIError(.failure, "interrupted before \(path) was written")
    }

    /// Installs the signal handlers (once).
    func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [weak self] in
                    self?.removeAll()
                    let (bytes, target) = StreamedOutput.written
                    StandardStreams.printStderr(bytes > 0
                        ? "\nenvelope: interrupted; \(bytes) bytes already went to \(target) and must be discarded; no output file was written for unfinished messages\n"
                        : "\nenvelope: interrupted; no output was written for unfinished messages\n")
                    exit(128 + sig)
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Marks the run interrupted and removes every registered temporary file.
    private func removeAll() {
        lock.withLock {
            interrupted = true
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
