import EnvelopeKMS
import EnvelopeKMSHTTP
@testable import EnvelopeLocalKMSServer
import EnvelopeTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

// Issue 18, part 3: LocalKMSServer is a Service; its graceful shutdown drains in-flight requests.
// Synchronized on events only: the bound port, a request entering the handler, the shutdown.

/// Runs a service and reports when its graceful shutdown begins.
struct ShutdownReporting<Base: Service>: Service {
    let base: Base
    let began: AsyncStream<Void>.Continuation

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await base.run()
        } onGracefulShutdown: {
            began.yield()
        }
    }
}

@Suite("The local KMS server as a Service")
struct LocalKMSServerServiceTests {
    @Test("in a ServiceGroup: a request in flight when graceful shutdown begins is answered, then run() returns")
    func gracefulShutdownDrainsInFlightRequest() async throws {
        let (story, user1, _) = try await ServedKMS.prepare()
        let kms = story.kms, key = story.key
        let (ports, portReported) = AsyncStream<Int>.makeStream()
        let (entered, requestEntered) = AsyncStream<Void>.makeStream()
        let (shutdown, shutdownBegan) = AsyncStream<Void>.makeStream()
        var server = LocalKMSServer(kms: kms, port: 0)
        server.onRunning = { portReported.yield($0) }
        // The first request holds in the handler until the graceful shutdown has begun.
        server.requestGate = {
            requestEntered.yield()
            for await _ in shutdown { break }
        }
        let group = ServiceGroup(configuration: .init(services: [ShutdownReporting(base: server, began: shutdownBegan)],
                                                      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var portIterator = ports.makeAsyncIterator()
            let bound = await portIterator.next()
            let port = try #require(bound)
            let transport = KMSHTTPTransport(
                region: "us-east-1",
                endpoint: KMSEndpoint(url: URL(string: "http://127.0.0.1:\(port)")!, signingRegion: "us-east-1"),
                credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: user1.accessKeyId, secretAccessKey: user1.secretAccessKey)),
                // One attempt, with room for a loaded machine: the answer waits for the shutdown to begin.
                http: AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 1, attemptTimeout: 300, overallDeadline: 600)))
            let inFlight = Task { try await transport.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), numberOfBytes: 32)) }
            var enteredIterator = entered.makeAsyncIterator()
            _ = await enteredIterator.next()
            await group.triggerGracefulShutdown()
            let answer = try await inFlight.value
            #expect(answer.keyId == key)
            #expect(answer.plaintext.count == 32)
            try await tasks.waitForAll()
        }
    }
}
