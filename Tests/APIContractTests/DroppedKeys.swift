import Contracts

/// The keys a sample had that the Swift type did not keep: decoding ignores a key it has no
/// property for, so a documented field the type lacks would pass the schema check unseen. (The
/// gateway refuses such a field in a request as unknown; a response never carries it.)
enum DroppedKeys {
    /// The pointers of the keys holding a value in `sample` that `kept` does not have.
    static func pointers(in sample: JSONValue, missingFrom kept: JSONValue, at pointer: String = "") -> [String] {
        switch (sample, kept) {
        case (.object(let members), .object(let keptMembers)):
            return members.sorted { $0.key < $1.key }.flatMap { key, value -> [String] in
                let memberPointer = "\(pointer)/\(SchemaCheck.escaped(key))"
                guard let keptValue = keptMembers[key] else { return value == .null ? [] : [memberPointer] }
                return Self.pointers(in: value, missingFrom: keptValue, at: memberPointer)
            }
        case (.array(let items), .array(let keptItems)):
            return zip(items, keptItems).enumerated().flatMap { index, pair in
                Self.pointers(in: pair.0, missingFrom: pair.1, at: "\(pointer)/\(index)")
            }
        default:
            return []
        }
    }
}
