import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/api/v1/applications`: credit requests.
struct ApplicationController {
    let support: RouteSupport
    let blobs: any BlobStore
    private var forwarder: Forwarder { support.forwarder }
    private var view: ApplicationView { ApplicationView(forwarder: support.forwarder) }
    private var files: DocumentFiles { DocumentFiles(forwarder: support.forwarder, blobs: blobs) }

    struct AttachBody: Codable, Sendable {
        let libraryDocumentID: UUID
    }

    struct WaiverBody: Codable, Sendable {
        let documentType: DocumentType
        let reason: String
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("applications", use: submit)
        routes.get("applications", use: list)
        routes.get("applications/:id", use: application)
        routes.post("applications/:id/documents", use: addDocument)
        routes.get("applications/:id/documents/:document", use: document)
        routes.post("applications/:id/waivers", use: waive)
        routes.post("applications/:id/withdraw", use: withdraw)
        return routes
    }

    @Sendable func submit(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.create(ApplicationsRPC.Submit.self, request, context)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let filter = ApplicationsRPC.List.Request(
            status: try query.value("status", as: ApplicationStatus.self), minAmount: try query.money("min_amount"),
            maxAmount: try query.money("max_amount"), from: try query.date("from"), to: try query.date("to"),
            customerID: try query.uuid("customer_id"), productID: try query.uuid("product_id"),
            sort: try query.value("sort", as: ApplicationsRPC.Sort.self), page: PageRequest())
        let view = ApplicationListView(forwarder: forwarder)
        return try await support.list(
            ApplicationsRPC.List.self, request, context, csv: .applications, join: { try await view.joined($0, context: context) }
        ) { page in
            var list = filter
            list.page = page
            return list
        }
    }

    @Sendable func application(_ request: Request, context: SignedIn) async throws -> Response {
        try await view.current(try RouteSupport.pathID(context, "application"), context: context)
    }

    /// JSON attaches a document of the client's library; anything else is an upload.
    @Sendable func addDocument(_ request: Request, context: SignedIn) async throws -> Response {
        let applicationID = try RouteSupport.pathID(context, "application")
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            let attach = try await support.body.json(AttachBody.self, from: request)
            return try await forwarder.forward(
                LibraryRPC.Attach.self, .init(applicationID: applicationID, libraryDocumentID: attach.libraryDocumentID), context: context)
        }
        return try await files.receive(DocumentsRPC.Record.self, request, context: context) { upload in
            DocumentsRPC.Record.Request(
                applicationID: applicationID, documentType: upload.documentType, filename: upload.filename, contentType: upload.contentType,
                size: upload.size, sha256: upload.sha256, blobKey: upload.blobKey)
        }
    }

    @Sendable func document(_ request: Request, context: SignedIn) async throws -> Response {
        let locate = DocumentsRPC.Locate.Request(
            applicationID: try RouteSupport.pathID(context, "application"), documentID: try DocumentFiles.documentID(context))
        return try await files.send(DocumentsRPC.Locate.self, locate, context: context)
    }

    @Sendable func waive(_ request: Request, context: SignedIn) async throws -> Response {
        let applicationID = try RouteSupport.pathID(context, "application")
        return try await support.create(WaiversRPC.Waive.self, request, context, body: WaiverBody.self) {
            WaiversRPC.Waive.Request(applicationID: applicationID, documentType: $0.documentType, reason: $0.reason)
        }
    }

    @Sendable func withdraw(_ request: Request, context: SignedIn) async throws -> Response {
        let id = try RouteSupport.pathID(context, "application")
        let withdrawn = try await forwarder.call(ApplicationsRPC.Withdraw.self, .init(id: id), context: context)
        return try await view.respond(to: withdrawn, id: id, context: context)
    }
}
