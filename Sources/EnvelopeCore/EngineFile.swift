import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A descriptor the body engine reads or writes, with what it needs to name it in an
/// ``IOFailure``: its role (input or output) and its path, when the engine opened it.
/// Closes the descriptor when freed only if the engine opened it.
final class EngineFile {
    let descriptor: FileDescriptor
    let role: IOFailure.Role
    /// The path, for a file the engine opened; nil for a descriptor the caller passed in.
    let path: String?
    private let owned: Bool

    /// Uses a descriptor the caller owns; it is not closed here.
    init(borrowing descriptor: FileDescriptor, role: IOFailure.Role) {
        self.descriptor = descriptor
        self.role = role
        path = nil
        owned = false
    }

    /// Opens `path` for reading.
    init(reading path: String) throws {
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let errno as Errno {
            throw EnvelopeError.io(IOFailure(.open, role: .input, path: path, errno: errno.rawValue))
        }
        role = .input
        self.path = path
        owned = true
    }

    /// Creates `path`, which must not exist, for writing.
    init(creatingExclusively path: String, permissions: FilePermissions) throws {
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                                                 permissions: permissions)
        } catch let errno as Errno {
            throw EnvelopeError.io(IOFailure(.create, role: .output, path: path, errno: errno.rawValue))
        }
        role = .output
        self.path = path
        owned = true
    }

    deinit { if owned { try? descriptor.close() } }

    func failure(_ operation: IOFailure.Operation, _ errno: Int32) -> EnvelopeError {
        EnvelopeError.io(IOFailure(operation, role: role, path: path, descriptor: path == nil ? descriptor.rawValue : nil, errno: errno))
    }

    /// Reads up to `buffer.count` bytes; 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        do { return try descriptor.read(into: buffer) } catch let errno as Errno { throw failure(.read, errno.rawValue) }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written: Int
            do {
                written = try descriptor.write(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch let errno as Errno {
                throw failure(.write, errno.rawValue)
            }
            guard written > 0 else { throw failure(.write, EIO) }
            offset += written
        }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Flushes to stable storage.
    func sync() throws {
        guard fsync(descriptor.rawValue) == 0 else { throw failure(.sync, errno) }
    }

    /// Reads until the header parses (re-parsing only as ``HeaderReader`` allows); returns it
    /// and the bytes read after it.
    func readHeader(client: EnvelopeClient) throws -> (MessageHeader, [UInt8]) {
        let cursor = DecryptCursor()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var ended = false
        while true {
            if let header = try cursor.parseHeader(client: client, inputEnded: ended) {
                return (header, [UInt8](copying: cursor.input.readable))
            }
            if !ended { ended = try !cursor.append(reading: { try read(into: $0) }, scratch: &chunk) }
        }
    }
}

/// Moves a non-`Sendable` value to the pipeline's own thread; the sender no longer touches it.
final class PipelineHandoff<Value>: @unchecked Sendable {
    let value: Value
    init(value: Value) { self.value = value }
}
