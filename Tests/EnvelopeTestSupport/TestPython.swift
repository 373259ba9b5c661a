import Foundation

/// The Python interpreter of the test venv (pinned `Tests/requirements-test.txt`).
public enum TestPython {
    /// `ENVELOPE_TEST_PYTHON` when set and non-empty, else `<repo>/.build/venv/bin/python3`
    /// (whether or not it exists).
    public static var path: URL {
        if let configured = ProcessInfo.processInfo.environment["ENVELOPE_TEST_PYTHON"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return TestRepository.file(".build/venv/bin/python3")
    }

    /// The interpreter, or an error telling to run `make test` when it is not an executable.
    ///
    /// - Parameter purpose: what the caller needs from the venv, named in the error
    ///   (e.g. "aws-encryption-sdk 4.0.7").
    public static func interpreter(needing purpose: String = "Tests/requirements-test.txt") throws -> URL {
        let python = path
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestSupportError("""
                no Python test venv at \(python.path) (needed for \(purpose)): run `make test` (or `make venv`) \
                in the repository root, or set ENVELOPE_TEST_PYTHON to a Python that has \
                Tests/requirements-test.txt installed
                """)
        }
        return python
    }
}

/// A test-environment problem (missing venv, a helper process that did not start or failed).
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
