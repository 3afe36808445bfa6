import Contracts
import Foundation
import Testing

@testable import Gateway

/// Merging the services' change feeds into one page, and the cursor that holds a place in each.
@Suite struct SyncFeedTests {
    private func change(_ seq: Int64, at seconds: TimeInterval, _ entity: SyncChange.Entity = .application) -> SyncRPC.PositionedChange {
        .init(
            seq: seq,
            change: SyncChange(
                entity: entity, id: UUID(), version: 1, op: .upsert, data: .null, changedAt: Date(timeIntervalSince1970: seconds)))
    }

    @Test func aCursorSurvivesTheRoundTripAndNothingElseReadsAsOne() {
        let cursor = SyncCursor(positions: [12, nil, 7])
        #expect(SyncCursor(cursor.text) == cursor)
        #expect(SyncCursor.start.text != cursor.text)
        #expect(SyncCursor("not a cursor") == nil)
        #expect(SyncCursor(Data("v2.1.2.3".utf8).base64EncodedString()) == nil)
        #expect(SyncCursor(Data("v1.1.-2.3".utf8).base64EncodedString()) == nil)
    }

    @Test func changesInterleaveByTimeAndKeepEachServicesOrder() {
        let loans = SyncRPC.FeedPage(changes: [change(5, at: 10), change(6, at: 30)], readTo: 6, hasMore: false)
        let tickets = SyncRPC.FeedPage(changes: [change(2, at: 20, .ticket)], readTo: 2, hasMore: false)
        let inbox = SyncRPC.FeedPage(changes: [], readTo: 9, hasMore: false)
        let merged = SyncFeed.merge([loans, tickets, inbox], after: .start, limit: 10)
        #expect(merged.changes.map(\.changedAt.timeIntervalSince1970) == [10, 20, 30])
        #expect(merged.cursor.positions == [6, 2, 9])
        #expect(!merged.hasMore)
    }

    @Test func aCutPageMovesEachServiceOnlyPastWhatItTook() {
        let loans = SyncRPC.FeedPage(changes: [change(5, at: 10), change(6, at: 30)], readTo: 6, hasMore: false)
        let tickets = SyncRPC.FeedPage(changes: [change(2, at: 20, .ticket), change(3, at: 40, .ticket)], readTo: 3, hasMore: false)
        let inbox = SyncRPC.FeedPage(changes: [change(8, at: 50, .notification)], readTo: 8, hasMore: false)
        let merged = SyncFeed.merge([loans, tickets, inbox], after: SyncCursor(positions: [4, 1, 7]), limit: 2)
        #expect(merged.changes.count == 2)
        #expect(merged.cursor.positions == [5, 2, 7])
        #expect(merged.hasMore)
    }

    @Test func aServiceWithMoreToReadKeepsThePageOpen() {
        let loans = SyncRPC.FeedPage(changes: [change(5, at: 10)], readTo: 5, hasMore: true)
        let empty = SyncRPC.FeedPage(changes: [], readTo: 0, hasMore: false)
        #expect(SyncFeed.merge([loans, empty, empty], after: .start, limit: 10).hasMore)
    }
}
