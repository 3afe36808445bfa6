import Contracts
import Hummingbird
import ServiceKit

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
        api.post("customers") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.once(request, context, body: WalkIn.self) { walkIn, serviceKey in
                try await open(walkIn, context: context, serviceKey: serviceKey)
            }
        }
        api.patch("customers/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let correct = CustomersRPC.Correct.Request(
                id: try RouteSupport.pathID(context, "customer"),
                sections: try await support.body.json(CustomersRPC.Sections.self, from: request),
                expectedVersion: try Query(request: request).expectedVersion())
            return try await support.forwarder.forwardResource(CustomersRPC.Correct.self, correct, context: context)
        }
        api.get("customers/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let customer = CustomersRPC.Get.Request(id: try RouteSupport.pathID(context, "customer"))
            return try await support.forwarder.forwardResource(CustomersRPC.Get.self, customer, context: context)
        }
    }

    /// `POST /customers`: a walk-in client's account and file, opened by staff.
    private struct WalkIn: Codable, Sendable {
        var email: String
        var fullName: String
        var phone: String?
        var profile: PersonalDetails?
        var financial: FinancialDetails?
        var employment: EmploymentDetails?

        var sections: CustomersRPC.Sections { .init(profile: profile, financial: financial, employment: employment) }
    }

    /// Checks the file, has `auth` invite the account, then opens the file under the account's id.
    /// Each step is kept by the services under the same key, so a retry with the client's
    /// `Idempotency-Key` after a failure part-way finishes the job instead of doing it twice.
    private func open(_ walkIn: WalkIn, context: GatewayContext, serviceKey: String?) async throws -> RPCResult {
        let forwarder = support.forwarder
        let checked = try await forwarder.call(CustomersRPC.Validate.self, walkIn.sections, context: context)
        guard checked.status < 300 else { return checked }
        let invited = try await forwarder.call(
            UsersRPC.Invite.self, .init(email: walkIn.email, fullName: walkIn.fullName, phone: walkIn.phone), context: context,
            idempotencyKey: serviceKey)
        guard invited.status < 300 else { return invited }
        let account = try invited.decode(UsersRPC.User.self)
        let opened = try await forwarder.call(
            CustomersRPC.Open.self, .init(customerID: account.id, sections: walkIn.sections), context: context, idempotencyKey: serviceKey)
        guard opened.status < 300 else { return opened }
        var customer = try opened.decode(Customer.self)
        customer.email = account.email
        customer.fullName = account.fullName
        customer.status = account.status
        return RPCResult(status: 201, body: try JSON.encode(customer))
    }

    private func library(on api: RouterGroup<GatewayContext>) {
        api.get("me/documents") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.forwarder.forwardList(
                LibraryRPC.List.self, .init(page: try Query(request: request).page()), context: context)
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
            return try await files.send(
                LibraryRPC.Locate.self, .init(documentID: try RouteSupport.pathID(context, "document")), context: context)
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
            let list = LibraryRPC.List.Request(
                customerID: try RouteSupport.pathID(context, "customer"), page: try Query(request: request).page())
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
