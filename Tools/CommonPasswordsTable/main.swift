import Foundation

// CommonPasswordsTable LIST OUTPUT: writes the Swift source of `CommonPasswords.table` from a list
// of passwords, one a line. The table is the list lower-cased, without duplicates, sorted (Swift's
// `String` order, which the lookup bisects in) and joined by newlines, as Base64 (any byte of a
// password is safe in it).
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: CommonPasswordsTable LIST OUTPUT\n".utf8))
    exit(2)
}
let list = try String(contentsOfFile: arguments[1], encoding: .utf8)
let passwords = Set(list.split(whereSeparator: \.isNewline).map { $0.lowercased() }.filter { !$0.isEmpty }).sorted()
let table = Data(passwords.joined(separator: "\n").utf8).base64EncodedString()
let source = """
    // Generated at build time by CommonPasswordsTable from \(URL(fileURLWithPath: arguments[1]).lastPathComponent). Do not edit.
    extension CommonPasswords {
        static let count = \(passwords.count)
        static let table = "\(table)"
    }

    """
try source.write(toFile: arguments[2], atomically: true, encoding: .utf8)
