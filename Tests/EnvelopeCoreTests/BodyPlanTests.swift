import Testing
@testable import EnvelopeCore

@Suite("Body engine: sequential or pipelined, decided once per message")
struct BodyPlanTests {
    @Test("small in-memory messages stay sequential (no thread, no pipeline buffers) whatever the concurrency",
          arguments: [1, 2, 8], [0, 1024, 2 * ParallelBody.batchBytes - 1])
    func smallInMemory(concurrency: Int, length: Int) {
        #expect(BodyPlan.mode(framed: true, frameLength: 4096, inMemoryLength: length, concurrency: concurrency) == .sequential)
    }

    @Test("large in-memory messages are pipelined only with two or more cores")
    func largeInMemory() {
        let large = 2 * ParallelBody.batchBytes
        #expect(BodyPlan.mode(framed: true, frameLength: 4096, inMemoryLength: large, concurrency: 1) == .sequential)
        #expect(BodyPlan.mode(framed: true, frameLength: 4096, inMemoryLength: large, concurrency: 4) == .pipelined(jobs: 4))
    }

    @Test("files and descriptors are pipelined (reads overlap the AES work even on one core)", arguments: [1, 3])
    func filesPipelined(concurrency: Int) {
        #expect(BodyPlan.mode(framed: true, frameLength: 65536, inMemoryLength: nil, concurrency: concurrency) == .pipelined(jobs: concurrency))
    }

    @Test("non-framed bodies and frames longer than the pipeline takes are sequential everywhere")
    func sequentialOnly() {
        for length in [nil, 1 << 30] as [Int?] {
            #expect(BodyPlan.mode(framed: false, frameLength: 0, inMemoryLength: length, concurrency: 4) == .sequential)
            #expect(BodyPlan.mode(framed: true, frameLength: ParallelBody.maxFrameLength + 1, inMemoryLength: length, concurrency: 4) == .sequential)
        }
    }
}
