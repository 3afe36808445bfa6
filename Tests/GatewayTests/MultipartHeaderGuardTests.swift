import NIOCore
import Testing

@testable import Gateway

@Suite struct MultipartHeaderGuardTests {
    private func body(headerName: [UInt8] = Array("Content-Disposition".utf8), file: [UInt8]) -> [UInt8] {
        Array("preamble\r\n--XyZ\r\n".utf8) + headerName + Array(": form-data; name=\"file\"; filename=\"résumé.pdf\"\r\n\r\n".utf8)
            + file + Array("\r\n--XyZ\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nother\r\n--XyZ--\r\n".utf8)
    }

    /// Fed in every split into two chunks: the guard must not depend on where a chunk ends.
    private func admits(_ bytes: [UInt8]) -> Bool {
        (0...bytes.count).allSatisfy { split in
            var headerGuard = MultipartHeaderGuard(boundary: "XyZ")
            return headerGuard.admits(ByteBuffer(bytes: bytes[..<split])) && headerGuard.admits(ByteBuffer(bytes: bytes[split...]))
        }
    }

    @Test func aWellFormedBodyWithAnyFileBytesPasses() {
        // A file with every byte value, CRLFs, dashes and a near-miss of the delimiter.
        let file = (0...255).map(UInt8.init) + Array("\r\n--XyQ\r\nÿ: x\r\n--Xy".utf8)
        #expect(admits(body(file: file)))
    }

    @Test func aHeaderNameOutsideASCIIIsRefused() {
        #expect(!admits(body(headerName: Array("Content-Dispositio".utf8) + [0xC3, 0xA9], file: Array("%PDF".utf8))))
        #expect(!admits(body(headerName: [0xFF], file: [])))
    }

    @Test func aBodyOpeningWithItsDelimiterIsFollowed() {
        var headerGuard = MultipartHeaderGuard(boundary: "XyZ")
        let admitted = headerGuard.admits(ByteBuffer(bytes: Array("--XyZ\r\n".utf8) + [0x80] + Array(": x\r\n\r\n".utf8)))
        #expect(!admitted)
    }

    @Test func theEpilogueIsNotRead() {
        var headerGuard = MultipartHeaderGuard(boundary: "XyZ")
        let admitted = headerGuard.admits(ByteBuffer(bytes: Array("--XyZ--\r\n".utf8) + [0xFF, 0x0D, 0x0A, 0xFF]))
        #expect(admitted)
    }
}
