import Foundation
import Messaging
import PostgresNIO
import TestSupport
import Testing

/// deploy/backup: a backup taken, the data wiped, the backup restored, and the data is intact.
/// Run alone, after the other suites (deploy/local/test), since it drops a service's schema.
@Suite(.serialized) struct BackupRestoreTests {
    @Test func aWipedSchemaAndALostQueueComeBackFromTheBackup() async throws {
        let backup = try TestEnvironment.require("BACKUP_COMMAND")
        let restore = try TestEnvironment.require("RESTORE_COMMAND")
        let approvers = try Approvers()
        let (id, client, before) = try await approvers.pending()
        let broker = try await TestServers.broker("backup-test")
        defer { Task { await broker.close() } }
        let queue = TestEnvironment.uniqueName("test.backup")
        _ = try await broker.withSession { try $0.declare(Queue(name: queue, kind: .quorum)) }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("backup")).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Shell.run("\(backup) \(folder)")

        // The disaster: the loans schema and a queue are gone.
        try await TestServers.withDatabase { client, logger in try await client.query("DROP SCHEMA loans CASCADE", logger: logger) }
        try await broker.withSession { try $0.delete(queue: queue) }
        #expect(try await approvers.api.get("/api/v1/applications/\(id)", token: client).status >= 500)

        try Shell.run("\(restore) \(folder) loans")

        let after = try await approvers.api.get("/api/v1/applications/\(id)", token: client)
        #expect(after.status == 200, "\(after.text)")
        for field in ["status", "amount", "term_months", "product_id", "created_at"] {
            #expect("\(after.json[field] ?? "-")" == "\(before.json[field] ?? "missing")", "\(field)")
        }
        #expect((try? await broker.withSession { try $0.inspect(queue: queue) }) != nil, "the queue is not back")
        // loans works on the restored schema: a new application goes through.
        #expect(try await approvers.pending().detail["status"] == "pending_approval")
        try await broker.withSession { try $0.delete(queue: queue) }
    }
}
