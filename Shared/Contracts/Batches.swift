import Foundation

/// The ids of one list page's rows, asked about in one call instead of one call a row: a service
/// that shows a list with another service's facts (a name, an amount, a score) asks once a page.
public struct IDBatch: Codable, Sendable, Equatable {
    /// A page's worth: a batch comes from one page of a list.
    public static let maximumSize = PageRequest.maximumSize

    public var ids: [UUID]

    public init(ids: [UUID]) {
        self.ids = ids
    }

    public var problems: [Problem.FieldError] {
        ids.count > Self.maximumSize ? [.init(field: "ids", message: "must be at most \(Self.maximumSize) ids")] : []
    }
}

/// What a service knows about a batch of ids, in no particular order. An id it does not know, or
/// will not tell the caller about, is left out.
public struct BatchAnswer<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}
