#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto
import EnvelopeKMS
import Foundation

/// Why the local KMS state directory could not be used.
public struct LocalKMSStateError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to do.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The state directory: `state.json` (the state, secrets wrapped), `state.key` (the 32-byte
/// AES-256 state key) and `state.lock` (serialises processes sharing the directory).
///
/// The directory is mode 0700 and every file 0600. Writes go to a temporary file in the same
/// directory, are flushed, then renamed over the old file, so a crash never leaves a torn state.
///
/// `@unchecked Sendable`: its one mutable field (`lastSeen`) is only touched by the `LocalKMS`
/// actor that owns the store.
final class LocalKMSStateStore: @unchecked Sendable {
    let directory: String
    let stateKey: SecureBytes
    private var lastSeen: FileStamp?

    static let stateFile = "state.json"
    static let keyFile = "state.key"
    static let lockFile = "state.lock"

    struct FileStamp: Equatable {
        let inode: UInt64
        let size: Int64
        let seconds: Int
        let nanoseconds: Int
    }

    init(directory: String) throws {
        self.directory = directory
        try LocalKMSStateStore.prepareDirectory(directory)
        stateKey = try LocalKMSStateStore.loadOrCreateStateKey(in: directory)
    }

    var statePath: String { directory + "/" + LocalKMSStateStore.stateFile }

    static func prepareDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw LocalKMSStateError("cannot create the local KMS state directory \(path): \(String(cString: strerror(errno))); check the parent directory exists and is writable")
            }
        } else if (info.st_mode & S_IFMT) != S_IFDIR {
            throw LocalKMSStateError("the local KMS state path \(path) exists but is not a directory; choose another --kms-state")
        }
        guard chmod(path, 0o700) == 0 else {
            throw LocalKMSStateError("cannot set mode 0700 on \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func loadOrCreateStateKey(in directory: String) throws -> SecureBytes {
        let path = directory + "/" + keyFile
        if let existing = try readFile(path) {
            var bytes = existing
            guard bytes.count == 32 else {
                throw LocalKMSStateError("the state key \(path) is \(bytes.count) bytes, expected 32; the state directory is damaged")
            }
            return try SecureBytes(consuming: &bytes)
        }
        let key = try RandomBytes.secure(count: 32)
        try key.withUnsafeBytes { try writeAtomically(Array($0), to: path, directory: directory, exclusive: true) }
        // Another process may have won the race: always use what is on disk.
        guard var stored = try readFile(path), stored.count == 32 else {
            throw LocalKMSStateError("could not read back the state key \(path)")
        }
        return try SecureBytes(consuming: &stored)
    }

    /// The state on disk, or `nil` when it has not changed since the last call (or does not exist yet and `force` is false).
    func loadIfChanged(force: Bool = false) throws -> LocalKMSState? {
        let stamp = LocalKMSStateStore.stamp(statePath)
        if !force, stamp == lastSeen { return nil }
        guard let bytes = try LocalKMSStateStore.readFile(statePath) else {
            lastSeen = nil
            return force ? LocalKMSState() : nil
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            let state = try decoder.decode(LocalKMSState.self, from: Data(bytes))
            guard state.format == LocalKMSState.currentFormat else {
                throw LocalKMSStateError("\(statePath) has format \(state.format); this build reads format \(LocalKMSState.currentFormat)")
            }
            lastSeen = stamp
            return state
        } catch let error as LocalKMSStateError {
            throw error
        } catch {
            throw LocalKMSStateError("\(statePath) is not a valid local KMS state (\(error)); restore it or use a new --kms-state directory")
        }
    }

    func save(_ state: LocalKMSState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        let data = try encoder.encode(state)
        try LocalKMSStateStore.writeAtomically([UInt8](data), to: statePath, directory: directory, exclusive: false)
        lastSeen = LocalKMSStateStore.stamp(statePath)
    }

    /// Runs `body` holding an exclusive `flock` on `state.lock`.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory + "/" + LocalKMSStateStore.lockFile
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalKMSStateError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw LocalKMSStateError("cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    static func stamp(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return FileStamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: Int(info.st_mtimespec.tv_sec), nanoseconds: Int(info.st_mtimespec.tv_nsec))
        #else
        return FileStamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
        #endif
    }

    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw LocalKMSStateError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LocalKMSStateError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// Writes `bytes` to a new 0600 temporary file in `directory`, flushes it and renames it to
    /// `path` (with `exclusive`, never replaces an existing `path`).
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String, exclusive: Bool) throws {
        let suffix = RandomBytes.array(count: 8).map { String($0, radix: 16) }.joined()
        let temporary = directory + "/.tmp-" + suffix
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalKMSStateError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, 0o600) == 0 else { throw LocalKMSStateError("cannot set mode 0600 on \(temporary)") }
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LocalKMSStateError("cannot write \(temporary): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw LocalKMSStateError("cannot flush \(temporary): \(String(cString: strerror(errno)))") }
        }
        if exclusive {
            // link() fails if the target exists: the first writer wins.
            if link(temporary, path) != 0 && errno != EEXIST {
                throw LocalKMSStateError("cannot create \(path): \(String(cString: strerror(errno)))")
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else {
                throw LocalKMSStateError("cannot replace \(path): \(String(cString: strerror(errno)))")
            }
        }
        ok = true
        let dfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
