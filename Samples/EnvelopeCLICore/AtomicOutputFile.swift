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
        let suffix = RandomBytes.array(count: 6).map { String(format: "%02x", $0) }.joined()
        temporaryPath = (directory.isEmpty ? "." : directory) + "/." + url.lastPathComponent + ".envelope-" + suffix + ".tmp"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CLIError(.cannotCreate, "cannot create the output \(path): \(String(cString: strerror(errno)))",
                           hint: "check that the directory \(directory.isEmpty ? "." : directory) exists and is writable")
        }
        TemporaryFileRegistry.shared.register(temporaryPath)
    }

    deinit { if !finished { discard() } }

    /// Refuses an existing output (unless `overwrite`), and an output that is a directory.
    static func checkCanCreate(_ path: String, overwrite: Bool) throws(CLIError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError(.cannotCreate, "the output \(path) is a directory", hint: "give a file name with -o, or use -r to process a directory")
        }
        if !overwrite {
            throw CLIError(.cannotCreate, "the output \(path) already exists", hint: "choose another -o, or pass --force to replace it")
        }
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
        defer { finished = true; TemporaryFileRegistry.shared.unregister(temporaryPath) }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd); unlink(temporaryPath)
            throw CLIError(.ioError, "flushing \(path) failed: \(reason)")
        }
        close(fd)
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
        unlink(temporaryPath)
        TemporaryFileRegistry.shared.unregister(temporaryPath)
    }
}

/// The temporary files being written, removed if the process is interrupted (SIGINT, SIGTERM,
/// SIGHUP), so an interrupted run leaves neither a partial output nor litter.
final class TemporaryFileRegistry: @unchecked Sendable {
    static let shared = TemporaryFileRegistry()
    private let lock = NSLock()
    private var paths = Set<String>()
    private var sources: [DispatchSourceSignal] = []

    func register(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    func unregister(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Installs the signal handlers (once).
    func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [weak self] in
                    self?.removeAll()
                    StandardStreams.printStderr("\nenvelope: interrupted; no output was written for unfinished messages\n")
                    exit(128 + sig)
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func removeAll() {
        let current = lock.withLock { paths }
        for path in current { unlink(path) }
    }
}
