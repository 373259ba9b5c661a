import Foundation

/// Locations of the test data copied into this test target.
enum TestData {
    /// `Tests/EnvelopeKMSHTTPTests/Vectors`.
    static var vectors: URL {
        Bundle.module.url(forResource: "Vectors", withExtension: nil)!
    }
}
