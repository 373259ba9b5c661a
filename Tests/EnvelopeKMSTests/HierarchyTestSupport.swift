import Foundation
import EnvelopeCrypto
import EnvelopeKMS

/// A branch key store held in memory: branch key id → versions (the last one added is active).
/// Counts the calls it answers, and can hold every answer at a gate until the test opens it.
final class InMemoryBranchKeyStore: BranchKeyStore, @unchecked Sendable {
    struct Version { let version: String; let key: [UInt8] }
    private let lock = NSLock()
    private var keys: [String: [Version]] = [:]
    private var activeCalls = 0
    private var versionCalls = 0
    private var gate: [CheckedContinuation<Void, Never>]? = nil
    let logicalKeyStoreName: String

    init(logicalKeyStoreName: String = "test-store") { self.logicalKeyStoreName = logicalKeyStoreName }

    /// The store of the official vectors' `static-branch-key-1` (keys.json).
    static func vectors(keysJSON: [String: Any]) throws -> (InMemoryBranchKeyStore, String) {
        let entry = (keysJSON["keys"] as! [String: Any])["static-branch-key-1"] as! [String: Any]
        let store = InMemoryBranchKeyStore()
        let id = entry["key-id"] as! String
        store.add(id: id, version: entry["branchKeyVersion"] as! String, key: Array(Data(base64Encoded: entry["branchKey"] as! String)!))
        return (store, id)
    }

    /// Adds a version (it becomes the active one); a random key unless given.
    @discardableResult
    func add(id: String, version: String = UUID().uuidString.lowercased(), key: [UInt8] = RandomBytes.array(count: 32)) -> String {
        lock.withLock { keys[id, default: []].append(Version(version: version, key: key)) }
        return version
    }

    var activeCallCount: Int { lock.withLock { activeCalls } }
    var versionCallCount: Int { lock.withLock { versionCalls } }
    var callCount: Int { activeCallCount + versionCallCount }

    /// From now on, every answer waits until `openGate()`.
    func closeGate() { lock.withLock { gate = [] } }
    func openGate() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            defer { gate = nil }
            return gate ?? []
        }
        waiting.forEach { $0.resume() }
    }

    private func passGate() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let wait = lock.withLock { () -> Bool in
                if gate != nil { gate!.append(c); return true }
                return false
            }
            if !wait { c.resume() }
        }
    }

    struct NotFound: Error {}

    func activeBranchKey(branchKeyIdentifier: String) async throws -> BranchKeyMaterials {
        let v = lock.withLock { () -> Version? in activeCalls += 1; return keys[branchKeyIdentifier]?.last }
        await passGate()
        guard let v else { throw NotFound() }
        return try materials(branchKeyIdentifier, v)
    }

    func branchKeyVersion(branchKeyIdentifier: String, version: String) async throws -> BranchKeyMaterials {
        let v = lock.withLock { () -> Version? in versionCalls += 1; return keys[branchKeyIdentifier]?.first { $0.version == version } }
        await passGate()
        guard let v else { throw NotFound() }
        return try materials(branchKeyIdentifier, v)
    }

    private weak var lastKey: SecureBytes?
    /// The key bytes of the last answer (weak: nil once everyone released them).
    var lastReturnedKey: SecureBytes? { lock.withLock { lastKey } }

    private func materials(_ id: String, _ v: Version) throws -> BranchKeyMaterials {
        let key = try SecureBytes(copying: v.key)
        lock.withLock { lastKey = key }
        return BranchKeyMaterials(branchKeyIdentifier: id, branchKeyVersion: v.version, encryptionContext: [:], branchKey: key)
    }
}
