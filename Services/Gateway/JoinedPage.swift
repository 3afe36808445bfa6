import Contracts
import Foundation
import ServiceKit

/// A list page as its owning service sent it, with facts other services keep added to each item.
/// The items' own fields pass through untouched; the added ones sit beside them.
struct JoinedPage {
    private var page: [String: JSONValue]
    private var items: [[String: JSONValue]]

    /// Nil unless `result` is a page of objects.
    init?(_ result: RPCResult) {
        guard result.status == 200, case .object(let page)? = try? JSONValue(parsing: result.body),
            case .array(let values)? = page["items"]
        else { return nil }
        var items: [[String: JSONValue]] = []
        for value in values {
            guard case .object(let item) = value else { return nil }
            items.append(item)
        }
        self.page = page
        self.items = items
    }

    /// The distinct ids under `key` across the items, in the page's order: one batch to ask about.
    func ids(_ key: String) -> [UUID] {
        var seen = Set<UUID>()
        return items.compactMap { Self.id($0, key) }.filter { seen.insert($0).inserted }
    }

    /// Adds to each item the fields of the value `fields` makes of it, encoded as the API writes
    /// JSON. The value is a type (`JoinedItem`'s `Added`) so the route table can name the shape.
    mutating func add(_ fields: ([String: JSONValue]) -> some Encodable) throws {
        items = try items.map { item in
            guard case .object(let added) = try JSONValue(encoding: fields(item)) else { return item }
            return item.merging(added) { _, added in added }
        }
    }

    /// The page again, as a reply of the service's own status.
    func result() throws -> RPCResult {
        var page = page
        page["items"] = .array(items.map(JSONValue.object))
        return RPCResult(status: 200, body: try JSON.encode(JSONValue.object(page)))
    }

    static func id(_ item: [String: JSONValue], _ key: String) -> UUID? {
        guard case .string(let text)? = item[key] else { return nil }
        return UUID(uuidString: text)
    }
}

/// An item of a joined page as clients read it: the owning service's fields and the ones a view
/// adds beside them, in one JSON object.
struct JoinedItem<Base: ContractType, Added: ContractType>: ContractType {
    var base: Base
    var added: Added

    init(from decoder: any Decoder) throws {
        base = try Base(from: decoder)
        added = try Added(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        try added.encode(to: encoder)
    }
}
