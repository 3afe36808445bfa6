import Contracts
import Foundation
import Persistence
import ServiceKit

/// What the applicant uploaded, and who may read it. An upload while documents were requested
/// puts the application back in front of its approver.
struct DocumentOperations: Sendable {
    /// Uploads are taken until the application is decided (and after approval, for disbursement).
    static let openForUploads: Set<ApplicationStatus> = [.submitted, .underAnalysis, .pendingApproval, .documentsRequested, .approved]
    static let largestFilename = 200
    /// Who may let an application through without a required document: managers and above.
    static let waivers: Set<Role> = [.manager, .director, .admin, .superAdmin]
    static let longestWaiverReason = 500
    static let undecided: Set<ApplicationStatus> = [.submitted, .underAnalysis, .pendingApproval, .documentsRequested]

    let database: Database
    let store: ApplicationStore
    let library: LibraryStore
    let lists: ClientLists

    func register(on handlers: inout RPCHandlers) {
        handlers.on(DocumentsRPC.Record.self) { request, context in try await record(request, context) }
        handlers.on(DocumentsRPC.Locate.self) { request, context in try await locate(request, context) }
        handlers.on(WaiversRPC.Waive.self) { request, context in try await waive(request, context) }
        handlers.on(LibraryRPC.Record.self) { request, context in
            let client = try context.requireRole([.client])
            let document = Document(
                id: UUID(), documentType: request.documentType, filename: Self.safeFilename(request.filename),
                contentType: request.contentType, size: request.size, sha256: request.sha256, uploadedAt: Date())
            try await library.insert(document, customerID: client.userID, blobKey: request.blobKey)
            return .created(document)
        }
        handlers.on(LibraryRPC.List.self) { request, context in
            let customer = try Self.libraryOwner(request.customerID, context)
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            return .ok(try await library.list(of: customer, page: request.page))
        }
        handlers.on(LibraryRPC.Locate.self) { request, context in
            let found = try await libraryDocument(request.documentID, of: request.customerID, context)
            return .ok(.init(document: found.document, blobKey: found.blobKey))
        }
        handlers.on(LibraryRPC.Delete.self) { request, context in
            _ = try context.requireRole([.client])
            let found = try await libraryDocument(request.documentID, of: nil, context)
            let attached = try await library.delete(found.document.id, blobKey: found.blobKey)
            return .ok(.init(blobKey: found.blobKey, stillAttached: attached))
        }
        handlers.on(LibraryRPC.Attach.self) { request, context in
            let client = try context.requireRole([.client])
            let found = try await libraryDocument(request.libraryDocumentID, of: nil, context)
            // A copy of the record, the same bytes: the library and the application keep it apart.
            let document = Document(
                id: UUID(), documentType: found.document.documentType, filename: found.document.filename,
                contentType: found.document.contentType, size: found.document.size, sha256: found.document.sha256, uploadedAt: Date())
            try await file(document, blobKey: found.blobKey, to: request.applicationID, by: client.userID)
            return .created(document)
        }
    }

    /// Whose library a request reads: with no customer named, the calling client's own
    /// (`/me/documents`, clients only); a named customer's is for staff (`/customers/{id}/documents`).
    private static func libraryOwner(_ customer: UUID?, _ context: RPCContext) throws -> UUID {
        guard let customer else { return try context.requireRole([.client]).userID }
        _ = try context.requireRole(Set(Role.allCases.filter(\.isStaff)))
        return customer
    }

    /// A library document the caller may read (see `libraryOwner`).
    private func libraryDocument(
        _ id: UUID, of customer: UUID?, _ context: RPCContext
    ) async throws -> (document: Document, blobKey: String, customerID: UUID) {
        let owner = try Self.libraryOwner(customer, context)
        guard let found = try await library.document(id), found.customerID == owner else { throw Problem.notFound("No such document.") }
        return found
    }

    /// A required document the application may be approved without, for a stated reason; audited.
    func waive(_ request: WaiversRPC.Waive.Request, _ context: RPCContext) async throws -> RPCReply<DocumentWaiver> {
        let manager = try context.requireRole(Self.waivers)
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= Self.longestWaiverReason else {
            throw Problem.validation(field: "reason", "must be 1 to \(Self.longestWaiverReason) characters")
        }
        let waiver = DocumentWaiver(
            id: UUID(), applicationID: request.applicationID, documentType: request.documentType, reason: reason,
            waivedBy: manager.userID, createdAt: Date())
        try await database.transaction { connection in
            guard let current = try await store.lock(request.applicationID, on: connection),
                let application = try await store.application(request.applicationID, on: connection)
            else { throw Problem.notFound("No such application.") }
            guard Self.undecided.contains(current.status) else {
                throw Problem.conflict("An application that is \(current.status.rawValue) needs no waiver.", slug: "illegal-transition")
            }
            guard application.missingDocuments.contains(request.documentType) else {
                if application.waivers.contains(where: { $0.documentType == request.documentType }) {
                    throw Problem.conflict("That document is waived already.", slug: "already-waived")
                }
                throw Problem.validation(field: "document_type", "is not a required document this application is missing")
            }
            guard try await store.insertWaiver(waiver, on: connection) else {
                throw Problem.conflict("That document is waived already.", slug: "already-waived")
            }
            try await database.outbox.publish(
                LoansEvents.DocumentWaived(
                    waiverID: waiver.id, applicationID: waiver.applicationID, documentType: waiver.documentType, reason: reason,
                    actorID: manager.userID, actorRole: manager.role, occurredAt: waiver.createdAt), on: connection)
        }
        return .created(waiver)
    }

    func record(_ request: DocumentsRPC.Record.Request, _ context: RPCContext) async throws -> RPCReply<Document> {
        let client = try context.requireRole([.client])
        let document = Document(
            id: UUID(), documentType: request.documentType, filename: Self.safeFilename(request.filename),
            contentType: request.contentType, size: request.size, sha256: request.sha256, uploadedAt: Date())
        try await file(document, blobKey: request.blobKey, to: request.applicationID, by: client.userID)
        return .created(document)
    }

    /// Adds a document to the client's application; one that was waiting for documents goes back
    /// in front of its approver.
    private func file(_ document: Document, blobKey: String, to applicationID: UUID, by client: UUID) async throws {
        try await database.transaction { connection in
            guard let current = try await store.lock(applicationID, on: connection), current.customerID == client else {
                throw Problem.notFound("No such application.")
            }
            guard Self.openForUploads.contains(current.status) else {
                throw Problem.conflict(
                    "An application that is \(current.status.rawValue) takes no more documents.", slug: "illegal-transition")
            }
            try await store.insertDocument(document, applicationID: applicationID, blobKey: blobKey, uploadedBy: client, on: connection)
            try await database.outbox.publish(
                LoansEvents.DocumentUploaded(
                    applicationID: applicationID, documentID: document.id, documentType: document.documentType,
                    occurredAt: document.uploadedAt), on: connection)
            if current.status == .documentsRequested {
                _ = try await store.move(applicationID, from: current, to: .pendingApproval, actor: client, on: connection)
            }
        }
        await lists.invalidate(client)
    }

    func locate(_ request: DocumentsRPC.Locate.Request, _ context: RPCContext) async throws -> RPCReply<DocumentsRPC.Locate.Response> {
        let caller = try context.requireRole(Set(Role.allCases))
        guard let application = try await store.application(request.applicationID),
            caller.role.isStaff || application.customerID == caller.userID,
            let found = try await store.documents(of: request.applicationID).first(where: { $0.document.id == request.documentID })
        else { throw Problem.notFound("No such document.") }
        return .ok(.init(document: found.document, blobKey: found.blobKey))
    }

    /// The client's file name is only ever shown, never used as a path: keep a short, printable
    /// last component.
    static func safeFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) && $0 != "\"" })
        let trimmed = String(printable.trimmingCharacters(in: .whitespaces).prefix(largestFilename))
        return trimmed.isEmpty || trimmed == "." || trimmed == ".." ? "document" : trimmed
    }
}
