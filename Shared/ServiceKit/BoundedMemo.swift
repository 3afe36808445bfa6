import Synchronization

/// Values computed once per key and remembered, up to `capacity` keys; when full it starts over,
/// which bounds the memory without bookkeeping per hit (a busy key is computed again once per
/// round). For pure functions of the key only: nothing here ever goes stale.
public final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let capacity: Int
    private let values = Mutex<[Key: Value]>([:])

    public init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    public func value(for key: Key) -> Value? {
        values.withLock { $0[key] }
    }

    public func remember(_ value: Value, for key: Key) {
        values.withLock { values in
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
    }

    /// The remembered value, or `compute`'s (outside the lock), remembered unless it threw.
    public func value(for key: Key, orCompute compute: (Key) throws -> Value) rethrows -> Value {
        if let value = value(for: key) { return value }
        let value = try compute(key)
        remember(value, for: key)
        return value
    }
}
