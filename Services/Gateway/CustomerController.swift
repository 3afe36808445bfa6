import Contracts
import Hummingbird
import ServiceKit

/// `/api/v1/me/{profile,financial,employment}` and the document library `/api/v1/me/documents`
/// for clients; `/api/v1/customers` for staff.
struct CustomerController {
    let support: RouteSupport
    let blobs: any BlobStore
    private var forwarder: Forwarder { support.forwarder }
    private var files: DocumentFiles { DocumentFiles(forwarder: support.forwarder, blobs: blobs) }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        addSection(PersonalDetails.self, to: routes)
        addSection(FinancialDetails.self, to: routes)
        addSection(EmploymentDetails.self, to: routes)
        routes.get("me/documents", use: library)
        routes.post("me/documents", use: upload)
        routes.get("me/documents/:id", use: download)
        routes.delete("me/documents/:id", use: delete)
        routes.get("customers", use: list)
        routes.post("customers", use: openFile)
        routes.get("customers/:id", use: customer)
        routes.patch("customers/:id", use: correct)
        routes.get("customers/:id/documents", use: customerLibrary)
        routes.get("customers/:id/documents/:document", use: customerDocument)
        return routes
    }

    /// `POST /customers`: a walk-in client's account and file, opened by staff.
    struct WalkIn: Codable, Sendable {
        var email: String
        var fullName: String
        var phone: String?
        var profile: PersonalDetails?
        var financial: FinancialDetails?
        var employment: EmploymentDetails?

        var sections: CustomersRPC.Sections { .init(profile: profile, financial: financial, employment: employment) }
    }

    /// `GET` and `PUT /me/<section>`, with the file's version as `ETag` and `If-Match`.
    private func addSection<Section: CustomerSection>(_ type: Section.Type, to routes: RouteCollection<SignedIn>) {
        routes.get("me/\(Section.name)") { [forwarder] _, context in
            try await forwarder.forwardResource(CustomersRPC.GetSection<Section>.self, Empty(), context: context)
        }
        routes.put("me/\(Section.name)") { [support] request, context in
            let put = CustomersRPC.PutSection<Section>.Request(
                section: try await support.body.json(Section.self, from: request),
                expectedVersion: try Query(request: request).expectedVersion())
            return try await support.forwarder.forwardResource(CustomersRPC.PutSection<Section>.self, put, context: context)
        }
    }

    @Sendable func library(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardList(LibraryRPC.List.self, .init(page: try Query(request: request).page()), context: context)
    }

    @Sendable func upload(_ request: Request, context: SignedIn) async throws -> Response {
        try await files.receive(LibraryRPC.Record.self, request, context: context) { upload in
            LibraryRPC.Record.Request(
                documentType: upload.documentType, filename: upload.filename, contentType: upload.contentType, size: upload.size,
                sha256: upload.sha256, blobKey: upload.blobKey)
        }
    }

    @Sendable func download(_ request: Request, context: SignedIn) async throws -> Response {
        try await files.send(LibraryRPC.Locate.self, .init(documentID: try RouteSupport.pathID(context, "document")), context: context)
    }

    @Sendable func delete(_ request: Request, context: SignedIn) async throws -> Response {
        let deleted = try await forwarder.call(
            LibraryRPC.Delete.self, .init(documentID: try RouteSupport.pathID(context, "document")), context: context
        ).decode(LibraryRPC.Delete.Response.self)
        // An application that holds the file keeps its bytes.
        if !deleted.stillAttached { blobs.delete(deleted.blobKey) }
        return Response(status: .noContent)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = CustomersRPC.List.Request(q: try query.string("q"), page: try query.page())
        return try await forwarder.forwardList(CustomersRPC.List.self, list, context: context)
    }

    @Sendable func openFile(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.once(request, context, body: WalkIn.self) { walkIn, serviceKey in
            try await open(walkIn, context: context, serviceKey: serviceKey)
        }
    }

    @Sendable func customer(_ request: Request, context: SignedIn) async throws -> Response {
        let customer = CustomersRPC.Get.Request(id: try RouteSupport.pathID(context, "customer"))
        return try await forwarder.forwardResource(CustomersRPC.Get.self, customer, context: context)
    }

    @Sendable func correct(_ request: Request, context: SignedIn) async throws -> Response {
        let correct = CustomersRPC.Correct.Request(
            id: try RouteSupport.pathID(context, "customer"),
            sections: try await support.body.json(CustomersRPC.Sections.self, from: request),
            expectedVersion: try Query(request: request).expectedVersion())
        return try await forwarder.forwardResource(CustomersRPC.Correct.self, correct, context: context)
    }

    @Sendable func customerLibrary(_ request: Request, context: SignedIn) async throws -> Response {
        let list = LibraryRPC.List.Request(
            customerID: try RouteSupport.pathID(context, "customer"), page: try Query(request: request).page())
        return try await forwarder.forwardList(LibraryRPC.List.self, list, context: context)
    }

    @Sendable func customerDocument(_ request: Request, context: SignedIn) async throws -> Response {
        let locate = LibraryRPC.Locate.Request(
            documentID: try DocumentFiles.documentID(context), customerID: try RouteSupport.pathID(context, "customer"))
        return try await files.send(LibraryRPC.Locate.self, locate, context: context)
    }

    /// Checks the file, has `auth` invite the account, then opens the file under the account's id.
    /// Each step is kept by the services under the same key, so a retry with the client's
    /// `Idempotency-Key` after a failure part-way finishes the job instead of doing it twice.
    private func open(_ walkIn: WalkIn, context: SignedIn, serviceKey: String?) async throws -> RPCResult {
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
}
