import Messaging

/// Named checks behind `/readyz`: each says whether one dependency can be used right now.
public struct Readiness: Sendable {
    public typealias Check = @Sendable () async -> Bool
    private(set) var checks: [(name: String, check: Check)] = []

    public init() {}

    /// - Parameters:
    ///   - name: the check's key in the `/readyz` report, e.g. `redis`.
    ///   - check: true when the dependency can be used now; it has two seconds to say so.
    public mutating func add(_ name: String, _ check: @escaping Check) {
        checks.append((name, check))
    }

    public mutating func merge(_ other: Readiness) {
        checks += other.checks
    }

    /// How long a check may take before it counts as not ready: a probe must answer, and a
    /// dependency that hangs is not usable.
    private static let checkLimit = Duration.seconds(2)

    /// Runs every check concurrently.
    ///
    /// - Returns: each check's result by name; false for one that took longer than two seconds.
    public func evaluate() async -> [String: Bool] {
        await withTaskGroup(of: (String, Bool).self) { group in
            for (name, check) in checks {
                group.addTask { (name, (try? await withDeadline(Self.checkLimit, check)) ?? false) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }
}
