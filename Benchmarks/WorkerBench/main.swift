import Foundation

// Measures the analysis worker pool: W worker processes of concurrency C, each analysis asking a
// simulated bureau that answers after a fixed latency, N requests published at once.
//
//   swift build -c release --product analysis-worker --product worker-bench
//   .build/release/worker-bench [--workers 1] [--concurrency 4] [--bureau-latency-ms 50] [--requests 2000] [--matrix]
//
// RABBITMQ_URL, DATABASE_URL and REDIS_URL name the servers the workers use (the dev stack's:
// amqp://guest:guest@127.0.0.1:5673, postgres://lending:lending@127.0.0.1:5433/lending,
// redis://127.0.0.1:6380). Stop the stack's own workers first, or they share the work.

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    warn("\(error)")
    exit(2)
}
let environment = ProcessInfo.processInfo.environment
let servers = ["RABBITMQ_URL", "DATABASE_URL", "REDIS_URL"].reduce(into: [String: String]()) { servers, name in
    if let value = environment[name], !value.isEmpty { servers[name] = value }
}
guard servers.count == 3 else {
    warn(
        """
        set RABBITMQ_URL, DATABASE_URL and REDIS_URL to the servers the workers should use, e.g. the dev stack's:
          RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5673 DATABASE_URL=postgres://lending:lending@127.0.0.1:5433/lending \\
          REDIS_URL=redis://127.0.0.1:6380 .build/release/worker-bench
        """)
    exit(2)
}

do {
    let outcomes = try await Bench(options: options, servers: servers).run()
    if options.matrix {
        print("\n\(Round.tableHeader)")
        for (round, outcome) in outcomes { print(round.tableRow(outcome)) }
    }
} catch {
    warn("\(error)")
    exit(1)
}
