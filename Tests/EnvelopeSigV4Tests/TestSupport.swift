import Foundation

/// Locations of the test data copied into this test target.
enum TestData {
    /// `Tests/EnvelopeSigV4Tests/Vectors`.
    static var vectors: URL {
        Bundle.module.url(forResource: "Vectors", withExtension: nil)!
    }
}
