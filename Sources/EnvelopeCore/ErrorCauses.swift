#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Typed causes of an EnvelopeError (issue 14, item 2). Each layer throws its own typed error and
// wraps the errors of the layer below as values, never as text; callers (the CLI among them)
// choose by type with ``EnvelopeError/firstCause(_:)``.

/// An error that wraps other errors as values (not as text). ``EnvelopeError`` and the KMS
/// keyrings' per-call errors conform, so a search of a whole error tree finds a cause at any depth.
public protocol ErrorWithCauses: Error {
    /// The errors this one wraps, outermost first.
    var underlyingErrors: [any Error] { get }
}

/// A request that did not get an answer from a remote service: it could not connect, timed out,
/// or TLS failed. Conformed to by the HTTP transport's error (EnvelopeKMSHTTP).
public protocol TransportFailure: Error {
    /// What failed.
    var transportFailureKind: TransportFailureKind { get }
    /// The URL the request went to.
    var url: String { get }
}

/// How a request failed to get an answer.
public enum TransportFailureKind: String, Sendable, Hashable, CaseIterable {
    /// No connection: refused, reset, DNS failure, unreachable.
    case connect
    /// The request or the connection timed out.
    case timeout
    /// The TLS handshake or certificate verification failed.
    case tls
    /// An answer came but was not the protocol's (not HTTP, not the service's JSON).
    case malformedResponse = "malformed-response"
}

/// Credentials could not be obtained. Conformed to by the credential providers' error
/// (EnvelopeKMSHTTP).
public protocol CredentialsFailure: Error {
    /// Where the credentials were looked for, e.g. `environment`, `profile dev (~/.aws/config)`,
    /// `instance metadata`.
    var credentialsSource: String { get }
}

/// A file or descriptor operation failed.
public struct IOFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case open, create, read, write, sync, rename, exists
    }
    /// Which side of the operation the file is, so a caller can name it in its own words (a CLI
    /// says "standard input" where the library only knows "descriptor 0").
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case input, output
    }
    /// What was being done.
    public let operation: Operation
    /// The input or the output.
    public let role: Role
    /// The file's path, or nil for a descriptor the caller passed in.
    public let path: String?
    /// The descriptor number, for a descriptor the caller passed in.
    public let descriptor: Int32?
    /// The POSIX error number (`EEXIST` for an output that already exists).
    public let errno: Int32

    /// Creates a record.
    public init(_ operation: Operation, role: Role, path: String?, descriptor: Int32? = nil, errno: Int32) {
        self.operation = operation
        self.role = role
        self.path = path
        self.descriptor = descriptor
        self.errno = errno
    }

    /// The path, or `descriptor N`.
    public var name: String { path ?? "\(role.rawValue) descriptor \(descriptor ?? -1)" }

    /// `read /path: No such file or directory`.
    public var description: String { "\(operation.rawValue) \(name): \(String(cString: strerror(errno)))" }
}

/// A bound was exceeded: one of ``DecryptionLimits``, or a limit of the message format.
public struct LimitFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which bound.
    public enum Limit: String, Sendable, Hashable, CaseIterable {
        /// ``DecryptionLimits/maxHeaderLength``.
        case headerLength = "header-length"
        /// ``DecryptionLimits/maxFrameLength``.
        case frameLength = "frame-length"
        /// ``DecryptionLimits/maxNonFramedBodyLength``.
        case nonFramedBodyLength = "non-framed-body-length"
        /// The format's 2^32-1 frames per message.
        case frameCount = "frame-count"
        /// `maxEncryptedDataKeys` of the client.
        case encryptedDataKeys = "encrypted-data-keys"
    }
    /// Which bound.
    public let limit: Limit
    /// The value found (at least; a header still growing reports the bytes seen so far).
    public let value: UInt64
    /// The bound.
    public let maximum: UInt64

    /// Creates a record.
    public init(_ limit: Limit, value: UInt64, maximum: UInt64) {
        self.limit = limit
        self.value = value
        self.maximum = maximum
    }

    /// `frame-length 1048576 > 65536`.
    public var description: String { "\(limit.rawValue) \(value) > \(maximum)" }
}

/// The system refused a resource the body engine needed (memory for a batch of frames, a thread).
/// The error's code is ``EnvelopeError/Code/outOfMemory``.
public struct ResourceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which resource.
    public enum Resource: String, Sendable, Hashable, CaseIterable {
        /// Memory for batch buffers (`mmap`).
        case memory
        /// A thread of the pipeline (`pthread_create`).
        case threads
    }
    /// Which resource.
    public let resource: Resource
    /// Bytes requested (memory), nil otherwise.
    public let requested: Int?
    /// The system's error number.
    public let errno: Int32

    /// Creates a record.
    public init(_ resource: Resource, requested: Int? = nil, errno: Int32) {
        self.resource = resource
        self.requested = requested
        self.errno = errno
    }

    /// `memory 1073741824 bytes: Cannot allocate memory`.
    public var description: String {
        "\(resource.rawValue)\(requested.map { " \($0) bytes" } ?? ""): \(String(cString: strerror(errno)))"
    }
}

extension EnvelopeError: ErrorWithCauses {
    /// ``causes``.
    public var underlyingErrors: [any Error] { causes }
}

extension EnvelopeError {
    /// Every error this one wraps, at any depth (through ``ErrorWithCauses``), depth first.
    public var allCauses: [any Error] {
        var out: [any Error] = []
        func visit(_ error: any Error, depth: Int) {
            guard depth < 16 else { return }
            out.append(error)
            if let wrapper = error as? any ErrorWithCauses {
                wrapper.underlyingErrors.forEach { visit($0, depth: depth + 1) }
            }
        }
        causes.forEach { visit($0, depth: 0) }
        return out
    }

    /// The first cause of type `T` at any depth, or nil.
    public func firstCause<T>(_ type: T.Type) -> T? {
        for cause in allCauses { if let found = cause as? T { return found } }
        return nil
    }

    static func io(_ failure: IOFailure, _ advice: String = "Check the path and its permissions.") -> EnvelopeError {
        EnvelopeError(.io, "Could not \(failure). \(advice)", causes: [failure])
    }

    static func limit(_ failure: LimitFailure, _ message: String) -> EnvelopeError {
        EnvelopeError(.limitExceeded, message, causes: [failure])
    }

    static func exhausted(_ failure: ResourceFailure, _ message: String) -> EnvelopeError {
        EnvelopeError(.outOfMemory, message, causes: [failure])
    }

    /// `pthread_create` returned `result`.
    static func threadsExhausted(_ result: Int32) -> EnvelopeError {
        exhausted(ResourceFailure(.threads, errno: result),
                  "Could not start a thread for the frame pipeline: the system is out of threads. Lower the client's concurrency, or raise the process's thread limit.")
    }
}
