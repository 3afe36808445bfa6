import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Reads the analytics event store directly, to check what services published.
enum EventStoreProbe {
    /// How many events of `type` have `payload[field] == value` (case-insensitive) and match every
    /// extra condition, once that number stops being zero (or after the wait).
    static func count(_ type: String, where field: String, is value: String, and extra: [String: String] = [:]) async throws -> Int {
        try await TestServers.withDatabase { client, logger in
            var found = 0
            _ = try await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
                var binds = PostgresBindings()
                binds.append(type)
                binds.append(field)
                binds.append(value)
                var sql = "SELECT count(*)::int FROM analytics.events WHERE type = $1 AND lower(payload->>$2) = lower($3)"
                for (key, expected) in extra.sorted(by: { $0.key < $1.key }) {
                    binds.append(key)
                    binds.append(expected)
                    sql += " AND payload->>$\(binds.count - 1) = $\(binds.count)"
                }
                for try await count in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(Int.self)
                {
                    found = count
                }
                return found > 0
            }
            return found
        }
    }

    /// How many events of `type` each of `values` has in `payload[field]` (values with none are
    /// left out), read once.
    static func counts(_ type: String, where field: String, in values: [String]) async throws -> [String: Int] {
        var binds = PostgresBindings()
        binds.append(type)
        binds.append(field)
        binds.append(values.map { $0.lowercased() })
        let sql = """
            SELECT lower(payload->>$2), count(*)::int FROM analytics.events
            WHERE type = $1 AND lower(payload->>$2) = ANY($3) GROUP BY 1
            """
        return try await TestServers.withDatabase { client, logger in
            var counts: [String: Int] = [:]
            for try await (value, count) in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                .decode((String, Int).self)
            {
                counts[value] = count
            }
            return counts
        }
    }

    /// ``counts(_:where:in:)`` once every value has events (analytics may still be catching up),
    /// or as it stands after a minute.
    static func settledCounts(_ type: String, where field: String, in values: [String]) async -> [String: Int] {
        var counts: [String: Int] = [:]
        _ = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            counts = (try? await Self.counts(type, where: field, in: values)) ?? counts
            return counts.count == Set(values.map { $0.lowercased() }).count
        }
        return counts
    }
}
