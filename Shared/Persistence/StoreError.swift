/// A row that the schema allowed but the code cannot read: a bug or a hand edit, never bad input.
public enum StoreError: Error, CustomStringConvertible {
    case corruptRow(String)

    public var description: String {
        switch self {
        case .corruptRow(let what): "unreadable row: \(what)"
        }
    }
}
