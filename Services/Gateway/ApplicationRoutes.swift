import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/api/v1/applications`: credit requests.
struct ApplicationRoutes {
    let support: RouteSupport
    let blobs: any BlobStore
    private var forwarder: Forwarder { support.forwarder }
    private var view: ApplicationView { ApplicationView(forwarder: support.forwarder) }
    private var files: DocumentFiles { DocumentFiles(forwarder: support.forwarder, blobs: blobs) }

    private struct AttachBody: Codable, Sendable {
        let libraryDocumentID: UUID
    }

    private struct WaiverBody: Codable, Sendable {
        let documentType: DocumentType
        let reason: String
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("applications") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(ApplicationsRPC.Submit.self, request, context)
        }
        api.get("applications") { request, context in
            let context = try await support.signedIn(request, context)
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
        api.get("applications/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await view.current(try RouteSupport.pathID(context, "application"), context: context)
        }
        api.post("applications/:id/documents") { request, context in
            let context = try await support.signedIn(request, context)
            let applicationID = try RouteSupport.pathID(context, "application")
            // JSON attaches a document of the client's library; anything else is an upload.
            if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
                let attach = try await support.body.json(AttachBody.self, from: request)
                return try await forwarder.forward(
                    LibraryRPC.Attach.self, .init(applicationID: applicationID, libraryDocumentID: attach.libraryDocumentID),
                    context: context)
            }
            return try await files.receive(DocumentsRPC.Record.self, request, context: context) { upload in
                DocumentsRPC.Record.Request(
                    applicationID: applicationID, documentType: upload.documentType, filename: upload.filename,
                    contentType: upload.contentType, size: upload.size, sha256: upload.sha256, blobKey: upload.blobKey)
            }
        }
        api.get("applications/:id/documents/:document") { request, context in
            let context = try await support.signedIn(request, context)
            let locate = DocumentsRPC.Locate.Request(
                applicationID: try RouteSupport.pathID(context, "application"), documentID: try DocumentFiles.documentID(context))
            return try await files.send(DocumentsRPC.Locate.self, locate, context: context)
        }
        api.post("applications/:id/waivers") { request, context in
            let context = try await support.signedIn(request, context)
            let applicationID = try RouteSupport.pathID(context, "application")
            return try await support.create(WaiversRPC.Waive.self, request, context, body: WaiverBody.self) {
                WaiversRPC.Waive.Request(applicationID: applicationID, documentType: $0.documentType, reason: $0.reason)
            }
        }
        api.post("applications/:id/withdraw") { request, context in
            let context = try await support.signedIn(request, context)
            let id = try RouteSupport.pathID(context, "application")
            let withdrawn = try await forwarder.call(ApplicationsRPC.Withdraw.self, .init(id: id), context: context)
            return try await view.respond(to: withdrawn, id: id, context: context)
        }
    }
}
