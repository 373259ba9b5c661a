import EnvelopeCore
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import EnvelopeLocalKMSServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A small records service: `POST /records` encrypts the posted bytes under a KMS key and answers
/// the message (base64 in JSON); `POST /records/decrypt` takes a message back and answers the record.
///
/// KMS is a local KMS served over the real wire protocol (``LocalKMSServer``), and the app talks to
/// it through ``KMSHTTPTransport`` exactly as it would to AWS KMS. Both are services of the caller's
/// `ServiceGroup` (``services()``): on SIGTERM the group shuts the app down first (no new requests,
/// in-flight ones finish, including their KMS calls), then the KMS server. Metrics and spans go to
/// whatever backends the process bootstrapped (the executable: the log).
public struct RecordsServer: Sendable {
    /// The account of the local KMS.
    public static let account: AWSAccountID = "111122223333"
    /// The key records are encrypted under.
    public let keyARN: KMSKeyARN
    /// Host and port of the records API (port 0: a free one, reported to `onRunning`).
    public let host: String
    public let port: Int
    /// Called with the records API's bound port.
    public var onRunning: @Sendable (Int) async -> Void = { _ in }
    /// Called when the app's graceful shutdown begins (before it drains).
    public var onShutdown: @Sendable () -> Void = {}
    let kmsServer: LocalKMSServer
    let kmsPort: Promise<Int>
    let accessKey: LocalKMSAccessKey
    let logger: Logger

    /// A local KMS with one key that the app's principal may use, and the app.
    public static func make(host: String = "127.0.0.1", port: Int = 0, logger: Logger) async throws -> RecordsServer {
        let kms = try LocalKMS()
        let principal = try AWSPrincipalARN(parsing: "arn:aws:iam::\(account):role/records-app")
        let key = try await kms.createKey(account: account, alias: KMSAliasName(rawValue: "alias/records"), userPrincipals: [principal])
        let accessKey = try await kms.createAccessKey(principal: principal)
        let kmsPort = Promise<Int>()
        var kmsServer = LocalKMSServer(kms: kms, port: 0, logger: logger)
        kmsServer.onRunning = { kmsPort.fulfil($0) }
        return RecordsServer(keyARN: key.arn, host: host, port: port, kmsServer: kmsServer, kmsPort: kmsPort,
                             accessKey: accessKey, logger: logger)
    }

    /// The services to run, in start order: the KMS server, then the records API.
    public func services() -> [any Service] {
        [kmsServer, Announcing(base: app(), onShutdown: onShutdown)]
    }

    func app() -> some ApplicationProtocol {
        let records = Records(keyARN: keyARN, kmsPort: kmsPort, accessKey: accessKey)
        let router = Router()
        router.post("/records") { request, context -> Response in
            context.logger.info("record received")
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let message = try await records.encrypt(Array(body.readableBytesView))
            let json = try JSONSerialization.data(withJSONObject: ["keyArn": records.keyARN.description, "ciphertext": Data(message).base64EncodedString()])
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
        }
        router.post("/records/decrypt") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 2 << 20)
            let record = try await records.decrypt(Array(body.readableBytesView))
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: record)))
        }
        let onRunning = self.onRunning
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "records-server"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// The encryption side of the app: one client, one transport to the local KMS (made once its port is known).
struct Records: Sendable {
    let keyARN: KMSKeyARN
    let kmsPort: Promise<Int>
    let accessKey: LocalKMSAccessKey
    let client = EnvelopeClient()
    static let context: EncryptionContext = ["purpose": "records-sample"]

    func transport() async throws -> KMSHTTPTransport {
        let port = await kmsPort.value
        return KMSHTTPTransport(
            region: keyARN.region,
            endpoint: KMSEndpoint(url: URL(string: "http://127.0.0.1:\(port)")!, signingRegion: keyARN.region.rawValue),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: accessKey.accessKeyId, secretAccessKey: accessKey.secretAccessKey)))
    }

    func encrypt(_ record: [UInt8]) async throws -> [UInt8] {
        let keyring = try KMSEncryptionKeyring(keyID: .keyARN(keyARN), transport: try await transport())
        return try await client.encrypt(record, keyring: keyring, encryptionContext: Self.context).ciphertext
    }

    func decrypt(_ message: [UInt8]) async throws -> [UInt8] {
        let keyring = try KMSStrictDecryptionKeyring(keyARN: keyARN, transport: try await transport())
        return try await client.decrypt(message, keyring: keyring, encryptionContext: Self.context).plaintext
    }
}

/// Runs `base` and calls `onShutdown` when its graceful shutdown begins.
struct Announcing<Base: Service>: Service {
    let base: Base
    let onShutdown: @Sendable () -> Void

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await base.run()
        } onGracefulShutdown: {
            onShutdown()
        }
    }
}

/// A value set once and awaited by any number of tasks.
final class Promise<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Value?
    private var waiting: [CheckedContinuation<Value, Never>] = []

    func fulfil(_ value: Value) {
        let resumed = lock.withLock { () -> [CheckedContinuation<Value, Never>] in
            guard result == nil else { return [] }
            result = value
            defer { waiting = [] }
            return waiting
        }
        for continuation in resumed { continuation.resume(returning: value) }
    }

    var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready = lock.withLock { () -> Value? in
                    if let result { return result }
                    waiting.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
