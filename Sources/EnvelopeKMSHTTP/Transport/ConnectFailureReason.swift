#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import NIOCore
import NIOPosix

extension AWSTransportError {
    /// Why no connection could be made, in a few words (`connection refused`, `network is
    /// unreachable`, `host name not found`), read from the HTTP stack's typed error; nil when it
    /// does not say, or when the failure was not a connection failure.
    public var connectFailureReason: String? {
        guard case .connect(let underlying) = detail else { return nil }
        return Self.connectReason(underlying)
    }

    static func connectReason(_ error: any Error) -> String? {
        switch error {
        case let io as IOError:
            return String(cString: strerror(io.errnoCode)).lowercased()
        case let connection as NIOConnectionError:
            if let first = connection.connectionErrors.first { return connectReason(first.error) }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return "host name not found" }
            return nil
        case let http as HTTPClientError where http == .remoteConnectionClosed:
            return "connection closed by the server"
        default:
            return nil
        }
    }
}
