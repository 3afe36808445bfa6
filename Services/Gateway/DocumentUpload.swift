import Contracts
import Crypto
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// Reads a `multipart/form-data` upload as it streams in: the `file` part goes straight into the
/// blob store while its SHA-256 and size are computed; the type is judged by the first bytes of
/// the content, not by the name or the header the client sent.
struct DocumentUpload {
    static let largestFile = 10 * 1024 * 1024

    struct Received {
        let documentType: DocumentType
        let filename: String
        let contentType: String
        let size: Int
        let sha256: String
        let blobKey: String
    }

    let blobs: any BlobStore

    func receive(_ request: Request) async throws -> Received {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.boundary(of: contentType)
        else {
            throw Problem.badRequest(
                "Send multipart/form-data with a `file` part and a `document_type` part.", slug: "unsupported-content-type")
        }

        let state = try UploadState(blobs: blobs)
        let parser = MultipartParser(boundary: boundary)
        var headerGuard = MultipartHeaderGuard(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.partComplete() }
        do {
            for try await chunk in request.body {
                guard headerGuard.admits(chunk) else { throw Self.malformed }
                try parser.execute(chunk)
                if let problem = state.problem { throw problem }
            }
            return try state.finish()
        } catch {
            state.discard()
            if let problem = error as? Problem { throw problem }
            throw Self.malformed
        }
    }

    static let malformed = Problem.badRequest("The multipart body is malformed.", slug: "malformed-body")

    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// How much of a file's end `sniff` looks at.
    static let tailSize = 1024

    /// PDF, PNG or JPEG, by their signatures at the start and their end markers at the end (a
    /// file cut short, or something else wearing a PDF's first bytes, is refused).
    static func sniff(head: [UInt8], tail: [UInt8]) -> String? {
        func ends(with marker: [UInt8]) -> Bool {
            tail.count >= marker.count && (0...(tail.count - marker.count)).contains { Array(tail[$0..<($0 + marker.count)]) == marker }
        }
        if head.starts(with: Array("%PDF-".utf8)) { return ends(with: Array("%%EOF".utf8)) ? "application/pdf" : nil }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return tail.suffix(8).elementsEqual(Self.pngEnd) ? "image/png" : nil  // the IEND chunk
        }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return ends(with: [0xFF, 0xD9]) ? "image/jpeg" : nil }
        return nil
    }

    private static let pngEnd: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
}

/// The parser's callbacks are synchronous: this collects what they see, for one upload.
private final class UploadState {
    private let blobs: any BlobStore
    private var headers: [String: String] = [:]
    private var writer: BlobWriter?
    private var hasher = SHA256()
    private var size = 0
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private var filename: String?
    private var documentTypeText = ""
    private var sawFile = false
    var problem: Problem?

    init(blobs: any BlobStore) throws {
        self.blobs = blobs
    }

    /// Every type the contract knows, so that a new one is never missing from the message.
    private static let documentTypeRule = "must be one of " + DocumentType.allCases.map(\.rawValue).joined(separator: ", ")

    func header(_ name: String, _ value: String) {
        headers[name.lowercased()] = value
    }

    private var partName: String? { Self.parameter("name", in: headers["content-disposition"] ?? "") }

    func body(_ buffer: inout ByteBuffer) {
        guard problem == nil else { return }
        switch partName {
        case "file":
            do {
                if writer == nil {
                    guard !sawFile else { problem = .validation(field: "file", "send one file"); return }
                    sawFile = true
                    writer = try blobs.create()
                    filename = Self.parameter("filename", in: headers["content-disposition"] ?? "")
                }
                size += buffer.readableBytes
                guard size <= DocumentUpload.largestFile else {
                    problem = Problem(status: 413, slug: "too-large", title: "File too large", detail: "A document may be 10 MiB at most.")
                    return
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    if head.count < 16 { head += bytes.prefix(16 - head.count) }
                    tail = Array((tail + bytes.suffix(DocumentUpload.tailSize)).suffix(DocumentUpload.tailSize))
                    hasher.update(bufferPointer: bytes)
                    try writer?.append(bytes)
                }
            } catch {
                problem = .unavailable("The upload could not be stored.")
            }
        case "document_type":
            if documentTypeText.count < 64 { documentTypeText += buffer.readString(length: buffer.readableBytes) ?? "" }
        default:
            break  // other fields are ignored
        }
    }

    func partComplete() {
        headers = [:]
    }

    func finish() throws -> DocumentUpload.Received {
        var problems: [Problem.FieldError] = []
        if !sawFile || size == 0 { problems.append(.init(field: "file", message: "is required")) }
        let documentType = DocumentType(rawValue: documentTypeText.trimmingCharacters(in: .whitespacesAndNewlines))
        if documentType == nil { problems.append(.init(field: "document_type", message: Self.documentTypeRule)) }
        guard problems.isEmpty, let writer, let documentType else { throw Problem.validation(problems) }
        guard let contentType = DocumentUpload.sniff(head: head, tail: tail) else {
            throw Problem(
                status: 415, slug: "unsupported-media-type", title: "Unsupported file type",
                detail: "Upload a whole PDF, PNG or JPEG file.")
        }
        try writer.commit()
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return .init(
            documentType: documentType, filename: filename ?? "document", contentType: contentType, size: size, sha256: digest,
            blobKey: writer.key)
    }

    func discard() {
        writer?.discard()
    }

    /// A parameter of a header such as `form-data; name="file"; filename="a.pdf"`.
    static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }
}
