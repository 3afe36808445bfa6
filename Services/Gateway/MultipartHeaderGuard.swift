import NIOCore

/// Stands in front of MultipartKit's parser and refuses a body whose part header *names* hold a
/// byte outside ASCII. MultipartKit 4.7.1 (the newest available) looks each header-name byte up
/// in a 128-entry table and traps on any larger byte: one such request, which the API fuzzer
/// found, took the gateway down. Names are tokens (RFC 9110), so nothing legitimate is refused;
/// values (a UTF-8 file name) and bodies (any bytes) pass untouched.
///
/// It follows the body the way the parser does: it finds each delimiter (`--boundary` at the
/// start, `CRLF--boundary` later) with a KMP matcher that survives chunk boundaries, then reads
/// header lines up to the blank line.
struct MultipartHeaderGuard {
    private enum Place {
        case searching
        case delimiterLine(dashes: Int)
        case lineStart
        case name
        case value
        case blankLine
        case epilogue
    }

    private let delimiter: [UInt8]
    private let fallback: [Int]
    private var matched: Int
    private var place = Place.searching

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        var fallback = [Int](repeating: 0, count: delimiter.count)
        var length = 0
        for index in delimiter.indices.dropFirst() {
            while length > 0, delimiter[index] != delimiter[length] { length = fallback[length - 1] }
            if delimiter[index] == delimiter[length] { length += 1 }
            fallback[index] = length
        }
        self.fallback = fallback
        // The first delimiter may open the body without the CRLF before it.
        matched = 2
    }

    /// Follows `chunk`; false once a part header name held a byte outside ASCII.
    mutating func admits(_ chunk: ByteBuffer) -> Bool {
        chunk.withUnsafeReadableBytes { bytes in
            for byte in bytes where !admits(byte) { return false }
            return true
        }
    }

    private mutating func admits(_ byte: UInt8) -> Bool {
        switch place {
        case .searching:
            while matched > 0, byte != delimiter[matched] { matched = fallback[matched - 1] }
            if byte == delimiter[matched] { matched += 1 }
            if matched == delimiter.count {
                matched = 0
                place = .delimiterLine(dashes: 0)
            }
        case .delimiterLine(let dashes):
            // `--` right after the boundary closes the body; anything else runs to the line's end.
            if byte == UInt8(ascii: "-"), dashes < 2 {
                place = dashes == 1 ? .epilogue : .delimiterLine(dashes: 1)
            } else if byte == UInt8(ascii: "\n") {
                place = .lineStart
            } else {
                place = .delimiterLine(dashes: 2)
            }
        case .lineStart:
            if byte == UInt8(ascii: "\r") {
                place = .blankLine
            } else {
                place = .name
                return byte < 0x80
            }
        case .name:
            if byte == UInt8(ascii: ":") { place = .value } else if byte == UInt8(ascii: "\n") { place = .lineStart }
            return byte < 0x80
        case .value:
            if byte == UInt8(ascii: "\n") { place = .lineStart }
        case .blankLine:
            guard byte != UInt8(ascii: "\n") else {
                place = .searching
                break
            }
            place = .name
            return byte < 0x80
        case .epilogue:
            break
        }
        return true
    }
}
