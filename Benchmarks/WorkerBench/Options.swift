import Foundation

/// The command line: `worker-bench [--workers W] [--concurrency C] [--bureau-latency-ms L]
/// [--requests N] [--worker-binary PATH] [--matrix]`.
struct Options {
    var workers = 1
    var concurrency = 4
    var bureauLatency = Duration.milliseconds(50)
    /// Requests per round, at least (a round sends 100 per slot when that is more).
    var requests = 2000
    var workerBinary = ".build/release/analysis-worker"
    /// Every combination of workers ∈ {1, 2, 4} and concurrency ∈ {1, 4, 16} instead of one.
    var matrix = false

    static let usage = """
        usage: worker-bench [--workers 1] [--concurrency 4] [--bureau-latency-ms 50] [--requests 2000]
                            [--worker-binary .build/release/analysis-worker] [--matrix]
        """

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
            if flag == "--matrix" {
                matrix = true
                continue
            }
            guard let value = remaining.next() else { throw BenchError("\(flag) needs a value\n\(Self.usage)") }
            func number() throws -> Int {
                guard let number = Int(value), number > 0 else { throw BenchError("\(flag) takes a positive whole number\n\(Self.usage)") }
                return number
            }
            switch flag {
            case "--workers": workers = try number()
            case "--concurrency": concurrency = try number()
            case "--bureau-latency-ms": bureauLatency = .milliseconds(try number())
            case "--requests": requests = try number()
            case "--worker-binary": workerBinary = value
            default: throw BenchError("unknown argument \(flag)\n\(Self.usage)")
            }
        }
    }

    /// The (workers, concurrency) pairs to measure.
    var rounds: [(workers: Int, concurrency: Int)] {
        guard matrix else { return [(workers, concurrency)] }
        return [1, 2, 4].flatMap { workers in [1, 4, 16].map { (workers, $0) } }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
