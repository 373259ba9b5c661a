#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto
import Foundation

/// The hidden name of an output being written: `.NAME.envelope-PID-HOST-RANDOM.tmp`. The writer's
/// process id and host let a later run prove that a leftover (after SIGKILL or a crash) is stale.
enum TemporaryFileName {
    /// This host's name as it appears in temporary names (letters, digits and dots only).
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(cString: buffer).filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }
        return name.isEmpty ? "unknown" : String(name.prefix(64))
    }()

    /// A fresh temporary name for the output named `name`.
    static func make(for name: String) -> String {
        let random = RandomBytes.array(count: 6).map { String(format: "%02x", $0) }.joined()
        return ".\(name).envelope-\(getpid())-\(host)-\(random).tmp"
    }

    /// Whether `name` looks like one of our temporary files (this format or an older one).
    static func matches(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".envelope-")
    }

    /// The writer recorded in a temporary name, if the name has this format.
    static func writer(of name: String) -> (pid: pid_t, host: String)? {
        guard matches(name), let marker = name.range(of: ".envelope-", options: .backwards) else { return nil }
        let fields = name[marker.upperBound...].dropLast(".tmp".count).split(separator: "-")
        guard fields.count == 3, let pid = pid_t(fields[0]), pid > 0 else { return nil }
        return (pid, String(fields[1]))
    }
}

/// Temporary files left in an output directory by an earlier run that was killed (SIGKILL
/// cannot be caught). Before the first output goes into a directory, ``sweep(_:)`` removes those
/// that are provably stale (written on this host by a process that no longer exists) and reports
/// on stderr those older than this run that it cannot prove stale (another host, a live process
/// id, an older name format). The files of a live writer are never touched.
final class StaleTemporaryFiles: @unchecked Sendable {
    static let shared = StaleTemporaryFiles()
    private let lock = NSLock()
    private var swept = Set<String>()
    /// When this run started; files modified before it are from earlier runs.
    private let started = time(nil)

    /// Sweeps `directory` once per run.
    func sweep(_ directory: String) {
        let first = lock.withLock { swept.insert(URL(fileURLWithPath: directory).standardizedFileURL.path).inserted }
        guard first, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where TemporaryFileName.matches(name) {
            let path = JobPlanner.join(directory, name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if let writer = TemporaryFileName.writer(of: name), writer.host == TemporaryFileName.host,
               writer.pid != getpid(), kill(writer.pid, 0) != 0, errno == ESRCH {
                if unlink(path) == 0 {
                    StandardStreams.printStderr("envelope: removed the stale temporary file \(path) (its writer, process \(writer.pid), is gone)\n")
                }
                continue
            }
            if info.st_mtim.tv_sec < started {
                StandardStreams.printStderr("envelope: warning: \(path) is a temporary file of an earlier run; remove it if no envelope is writing there\n")
            }
        }
    }
}
