import Contracts
import Foundation

/// The position of a client in the change feeds of `loans`, `approvals` and `notifications`,
/// handed out as one opaque cursor.
struct SyncCursor: Equatable, Sendable {
    /// In the order of `SyncFeed.services`.
    var positions: [Int64?]

    static let start = SyncCursor(positions: [nil, nil, nil])

    init(positions: [Int64?]) {
        self.positions = positions
    }

    /// Reads a cursor this gateway (or another replica) wrote; nil for anything else.
    init?(_ text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1" else { return nil }
        var positions: [Int64?] = []
        for part in parts.dropFirst() {
            if part.isEmpty {
                positions.append(nil)
            } else if let position = Int64(part), position >= 0 {
                positions.append(position)
            } else {
                return nil
            }
        }
        self.positions = positions
    }

    var text: String {
        let plain = (["v1"] + positions.map { $0.map(String.init) ?? "" }).joined(separator: ".")
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Merges the services' pages of changes into one page of the feed. Pure, so it is unit-tested.
enum SyncFeed {
    /// Each service's changes stay in their order (the order they became visible there); across
    /// services, the earlier change comes first. The page is cut at `limit`, and each service's
    /// position moves only past what the page took from it.
    static func merge(
        _ pages: [SyncRPC.FeedPage], after cursor: SyncCursor, limit: Int
    ) -> (changes: [SyncChange], cursor: SyncCursor, hasMore: Bool) {
        var next = Array(repeating: 0, count: pages.count)
        var taken: [SyncChange] = []
        while taken.count < limit {
            let candidates = pages.indices.filter { next[$0] < pages[$0].changes.count }
            guard
                let service = candidates.min(by: {
                    pages[$0].changes[next[$0]].change.changedAt < pages[$1].changes[next[$1]].change.changedAt
                })
            else { break }
            taken.append(pages[service].changes[next[service]].change)
            next[service] += 1
        }
        var positions = cursor.positions
        var cut = false
        for (service, page) in pages.enumerated() {
            if next[service] == page.changes.count {
                positions[service] = page.readTo
            } else {
                cut = true
                if next[service] > 0 { positions[service] = page.changes[next[service] - 1].seq }
            }
        }
        return (taken, SyncCursor(positions: positions), cut || pages.contains(where: \.hasMore))
    }
}
