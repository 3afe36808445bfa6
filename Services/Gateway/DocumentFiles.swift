import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Document bytes in and out of the blob store, for application documents and the customer's
/// library alike: `loans` keeps what a file is and who may read it, the gateway its bytes.
struct DocumentFiles: Sendable {
    let forwarder: Forwarder
    let blobs: any BlobStore

    /// The `:document` of the path; a malformed one names nothing.
    static func documentID(_ context: some RequestContext) throws -> UUID {
        guard let id = context.parameters.get("document").flatMap(UUID.init(uuidString:)) else {
            throw Problem.notFound("No such document.")
        }
        return id
    }

    /// Stores an upload's bytes, then records it with `Operation`; the bytes are dropped again when
    /// the service refuses it or cannot be asked.
    func receive<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Request, context: some CallerContext,
        as record: (DocumentUpload.Received) -> Operation.Request
    ) async throws -> Response {
        let upload = try await DocumentUpload(blobs: blobs).receive(request)
        let result: RPCResult
        do {
            result = try await forwarder.call(Operation.self, record(upload), context: context)
        } catch {
            blobs.delete(upload.blobKey)
            throw error
        }
        if result.status >= 300 { blobs.delete(upload.blobKey) }
        return HTTPReply.response(result)
    }

    /// The file a located document names, as a download.
    func send<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ locate: Operation.Request, context: some CallerContext
    ) async throws -> Response where Operation.Response == DocumentsRPC.Locate.Response {
        let located = try await forwarder.call(operation, locate, context: context).decode(DocumentsRPC.Locate.Response.self)
        guard let bytes = try? blobs.read(located.blobKey) else { throw Problem.notFound("The document's file is gone.") }
        var headers = HTTPFields()
        headers[.contentType] = located.document.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(located.document.filename)\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
