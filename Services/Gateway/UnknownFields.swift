import Contracts

/// Finds what a client sent that the endpoint does not read: a misspelt or unsupported field must
/// be a `422`, never silently dropped. What the endpoint reads is what its decoded body writes
/// back; a key sent as `null` that it leaves out is an optional field left empty.
enum UnknownFields {
    /// The first unknown field's name as the client spelled it (`profile.nickname`,
    /// `operations[2].verb`), or nil.
    static func first(sent: JSONValue, understood: JSONValue, at path: String = "") -> String? {
        switch (sent, understood) {
        case (.object(let sentFields), .object(let knownFields)):
            for key in sentFields.keys.sorted() {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let known = knownFields[key] else {
                    if sentFields[key] == .null { continue }
                    return field
                }
                if let unknown = first(sent: sentFields[key] ?? .null, understood: known, at: field) { return unknown }
            }
            return nil
        case (.array(let sentItems), .array(let knownItems)):
            for (index, (item, known)) in zip(sentItems, knownItems).enumerated() {
                if let unknown = first(sent: item, understood: known, at: "\(path)[\(index)]") { return unknown }
            }
            return nil
        default:
            return nil
        }
    }
}
