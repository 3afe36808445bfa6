import Metrics
import Synchronization

/// The handles of one metric, one per set of dimension values, each made once. Making a handle
/// asks the metrics backend (a lock and a registry look-up, with the dimensions turned into a
/// key), which a request path should not pay every time.
public final class MetricHandles<Handle: Sendable>: Sendable {
    private let label: String
    private let names: [String]
    private let make: @Sendable (_ label: String, _ dimensions: [(String, String)]) -> Handle
    private let made = Mutex<[[String]: Handle]>([:])

    /// `make` makes a handle of the label with the dimensions' names and values, such as
    /// `{ Counter(label: $0, dimensions: $1) }`.
    public init(
        _ label: String, dimensions names: [String],
        make: @escaping @Sendable (_ label: String, _ dimensions: [(String, String)]) -> Handle
    ) {
        self.label = label
        self.names = names
        self.make = make
    }

    /// The handle for these values of the dimensions, in the order they were named.
    public func callAsFunction(_ values: String...) -> Handle {
        precondition(values.count == names.count, "\(label) has the dimensions \(names)")
        return made.withLock { made in
            if let handle = made[values] { return handle }
            let handle = make(label, Array(zip(names, values)))
            made[values] = handle
            return handle
        }
    }
}

extension MetricHandles where Handle == Counter {
    /// Counters of `label`, one per set of values of the dimensions `names`.
    public convenience init(counters label: String, dimensions names: [String]) {
        self.init(label, dimensions: names) { Counter(label: $0, dimensions: $1) }
    }
}

extension MetricHandles where Handle == Timer {
    /// Timers of `label`, one per set of values of the dimensions `names`.
    public convenience init(timers label: String, dimensions names: [String]) {
        self.init(label, dimensions: names) { Timer(label: $0, dimensions: $1) }
    }
}
