import Testing
import EnvelopeTestSupport

/// Runs `body`, expecting it to throw an error of type `E`; returns that error. Records an issue
/// (and returns nil) when `body` succeeds or throws something else. The one error-capture helper
/// of the test targets.
public func caughtError<E: Error, T>(_ type: E.Type, sourceLocation: SourceLocation = #_sourceLocation,
                                     _ body: () async throws -> T) async -> E? {
    do {
        _ = try await body()
        Issue.record("expected \(E.self), the call succeeded", sourceLocation: sourceLocation)
    } catch let error as E {
        return error
    } catch {
        Issue.record("expected \(E.self), got \(Swift.type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
