import Foundation
import Testing

/// Where the real servers of the test stack are. `deploy/local/test` exports these; a test run
/// without them fails with a message saying how to get them, instead of passing vacuously.
public enum TestEnvironment {
    public static func require(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            ProcessInfo.processInfo.environment[name], "\(name) is not set: run the tests with deploy/local/test",
            sourceLocation: sourceLocation)
    }

    /// A name no other test (or earlier run) uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. For effects that
/// happen asynchronously (a message delivered, a connection re-established).
public func eventually(
    timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
