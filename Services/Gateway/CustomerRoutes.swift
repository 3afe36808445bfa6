import Contracts
import Hummingbird

/// `/api/v1/me/{profile,financial,employment}` and the document library `/api/v1/me/documents`
/// for clients; `/api/v1/customers` for staff.
struct CustomerRoutes {
    let support: RouteSupport
    let blobs: any BlobStore
    private var files: DocumentFiles { DocumentFiles(forwarder: support.forwarder, blobs: blobs) }

    func add(to api: RouterGroup<GatewayContext>) {
        library(on: api)
        section(PersonalDetails.self, on: api)
        section(FinancialDetails.self, on: api)
        section(EmploymentDetails.self, on: api)
        api.get("customers") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = CustomersRPC.List.Request(q: try query.string("q"), page: try query.page())
            return try await support.forwarder.forwardList(CustomersRPC.List.self, list, context: context)
        }
        api.get("customers/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let customer = CustomersRPC.Get.Request(id: try RouteSupport.pathID(context, "customer"))
            return try await support.forwarder.forwardResource(CustomersRPC.Get.self, customer, context: context)
        }
    }

    private func library(on api: RouterGroup<GatewayContext>) {
        api.get("me/documents") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.forwarder.forwardList(LibraryRPC.List.self, .init(page: try Query(request: request).page()), context: context)
        }
        api.post("me/documents") { request, context in
            let context = try await support.signedIn(request, context)
            return try await files.receive(LibraryRPC.Record.self, request, context: context) { upload in
                LibraryRPC.Record.Request(
                    documentType: upload.documentType, filename: upload.filename, contentType: upload.contentType, size: upload.size,
                    sha256: upload.sha256, blobKey: upload.blobKey)
            }
        }
        api.get("me/documents/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await files.send(LibraryRPC.Locate.self, .init(documentID: try RouteSupport.pathID(context, "document")), context: context)
        }
        api.delete("me/documents/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let deleted = try await support.forwarder.call(
                LibraryRPC.Delete.self, .init(documentID: try RouteSupport.pathID(context, "document")), context: context
            ).decode(LibraryRPC.Delete.Response.self)
            // An application that holds the file keeps its bytes.
            if !deleted.stillAttached { blobs.delete(deleted.blobKey) }
            return Response(status: .noContent)
        }
        api.get("customers/:id/documents") { request, context in
            let context = try await support.signedIn(request, context)
            let list = LibraryRPC.List.Request(customerID: try RouteSupport.pathID(context, "customer"), page: try Query(request: request).page())
            return try await support.forwarder.forwardList(LibraryRPC.List.self, list, context: context)
        }
        api.get("customers/:id/documents/:document") { request, context in
            let context = try await support.signedIn(request, context)
            let locate = LibraryRPC.Locate.Request(
                documentID: try DocumentFiles.documentID(context), customerID: try RouteSupport.pathID(context, "customer"))
            return try await files.send(LibraryRPC.Locate.self, locate, context: context)
        }
    }

    private func section<Section: CustomerSection>(_ type: Section.Type, on api: RouterGroup<GatewayContext>) {
        api.get("me/\(Section.name)") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.forwarder.forwardResource(CustomersRPC.GetSection<Section>.self, Empty(), context: context)
        }
        api.put("me/\(Section.name)") { request, context in
            let context = try await support.signedIn(request, context)
            let put = CustomersRPC.PutSection<Section>.Request(
                section: try await support.body.json(Section.self, from: request),
                expectedVersion: try Query(request: request).expectedVersion())
            return try await support.forwarder.forwardResource(CustomersRPC.PutSection<Section>.self, put, context: context)
        }
    }
}
