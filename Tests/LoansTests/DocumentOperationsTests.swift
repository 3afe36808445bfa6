import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `DocumentOperations` on a database of its own: uploads to applications, the client's library,
/// waivers, and who may read what.
@Suite struct DocumentOperationsTests {
    @Test func anUploadIsFiledOnTheApplicationAndAnnounced() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product(requiring: [.govtID, .incomeProof]))
            #expect(application.missingDocuments == [.govtID, .incomeProof])
            let result = try await loans.upload(
                .govtID, filename: "../../etc/\u{7}pass\"port.pdf", to: application, as: client, blobKey: "b-1")
            #expect(result.status == 201)
            let document = try result.decode(Document.self)
            #expect(document.filename == "passport.pdf", "only a printable last component is kept")
            let read = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(read.documents == [document])
            #expect(read.missingDocuments == [.incomeProof])
            let announced = try await loans.published(LoansEvents.DocumentUploaded.self)
            #expect(announced.map(\.documentID) == [document.id] && announced.first?.applicationID == application.id)
            let located = try await loans.operations.ok(
                DocumentsRPC.Locate.self, .init(applicationID: application.id, documentID: document.id), as: client)
            #expect(located.blobKey == "b-1" && located.document == document)
        }
    }

    @Test func anUploadWhileDocumentsWereRequestedPutsTheApplicationBackBeforeItsApprover() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product())
            try await loans.requestDocuments([.bankStatement], for: application)
            let waiting = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(waiting.status == .documentsRequested && waiting.requestedDocuments == [.bankStatement])
            #expect(try await loans.upload(.bankStatement, to: application, as: client).status == 201)
            let back = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(back.status == .pendingApproval)
            #expect(back.timeline.map(\.status).suffix(2) == [.documentsRequested, .pendingApproval])
            #expect(back.timeline.last?.actorID == client.userID)
        }
    }

    @Test func noOneFilesOnSomeoneElsesOrADecidedApplication() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: product)
            #expect(try await loans.upload(.photo, to: application, as: try await loans.client()).status == 404)
            #expect(try await loans.upload(.photo, to: application, as: .signedIn(as: .analyst)).status == 403)
            _ = try await loans.operations.ok(ApplicationsRPC.Withdraw.self, .init(id: application.id), as: client)
            let late = try await loans.upload(.photo, to: application, as: client)
            #expect(late.status == 409)
            #expect(try await loans.database.count("documents") == 0)
            #expect(try await loans.published(LoansEvents.DocumentUploaded.self).isEmpty)
        }
    }

    @Test func aLibraryDocumentIsAttachedAsACopyOfTheSameFile() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product(requiring: [.addressProof]))
            let kept = try await loans.libraryDocument(.addressProof, for: client, blobKey: "lib-1")
            let attached = try await loans.operations.call(
                LibraryRPC.Attach.self, .init(applicationID: application.id, libraryDocumentID: kept.id), as: client)
            #expect(attached.status == 201)
            let copy = try attached.decode(Document.self)
            #expect(copy.id != kept.id && copy.sha256 == kept.sha256 && copy.filename == kept.filename)
            let read = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(read.documents.map(\.id) == [copy.id] && read.missingDocuments.isEmpty)
            let located = try await loans.operations.ok(
                DocumentsRPC.Locate.self, .init(applicationID: application.id, documentID: copy.id), as: client)
            #expect(located.blobKey == "lib-1")
            // Removing it from the library leaves the application's copy, and so its bytes.
            let deleted = try await loans.operations.ok(LibraryRPC.Delete.self, .init(documentID: kept.id), as: client)
            #expect(deleted.blobKey == "lib-1" && deleted.stillAttached)
            #expect(try await loans.operations.ok(LibraryRPC.List.self, .init(), as: client).total == 0)
            let unattached = try await loans.libraryDocument(.photo, for: client, blobKey: "lib-2")
            #expect(
                try await loans.operations.ok(LibraryRPC.Delete.self, .init(documentID: unattached.id), as: client).stillAttached == false)
        }
    }

    @Test func aClientAttachesOnlyTheirOwnLibraryToTheirOwnApplications() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let ada = try await loans.client()
            let bob = try await loans.client()
            let adas = try await loans.submit(for: ada, product: product)
            let bobs = try await loans.submit(for: bob, product: product)
            let adaDocument = try await loans.libraryDocument(for: ada)
            let someoneElses = try await loans.operations.problem(
                LibraryRPC.Attach.self, .init(applicationID: bobs.id, libraryDocumentID: adaDocument.id), as: bob)
            #expect(someoneElses?.status == 404)
            let notHers = try await loans.operations.problem(
                LibraryRPC.Attach.self, .init(applicationID: bobs.id, libraryDocumentID: adaDocument.id), as: ada)
            #expect(notHers?.status == 404)
            #expect(
                try await loans.operations.problem(LibraryRPC.Delete.self, .init(documentID: adaDocument.id), as: bob)?.status == 404)
            #expect(try await loans.database.count("documents") == 0)
            #expect(try await loans.database.count("library_documents") == 1)
            _ = try await loans.operations.ok(
                LibraryRPC.Attach.self, .init(applicationID: adas.id, libraryDocumentID: adaDocument.id), as: ada)
            #expect(try await loans.database.count("documents") == 1)
        }
    }

    @Test func aClientSeesOnlyTheirOwnDocumentsAndStaffSeeACustomersOnRequest() async throws {
        try await LoansFixture.run { loans in
            let ada = try await loans.client()
            let bob = try await loans.client()
            let application = try await loans.submit(for: ada, product: try await loans.product())
            let uploaded = try await loans.upload(.incomeProof, to: application, as: ada).decode(Document.self)
            let kept = try await loans.libraryDocument(.govtID, for: ada)
            _ = try await loans.libraryDocument(.photo, for: bob)
            let analyst = Principal.signedIn(as: .analyst)
            let locate = DocumentsRPC.Locate.Request(applicationID: application.id, documentID: uploaded.id)
            #expect(try await loans.operations.problem(DocumentsRPC.Locate.self, locate, as: bob)?.status == 404)
            #expect(try await loans.operations.ok(DocumentsRPC.Locate.self, locate, as: analyst).document == uploaded)
            let elsewhere = DocumentsRPC.Locate.Request(applicationID: application.id, documentID: kept.id)
            #expect(try await loans.operations.problem(DocumentsRPC.Locate.self, elsewhere, as: ada)?.status == 404)
            // The library: a client's own, or for staff the customer they name.
            #expect(try await loans.operations.ok(LibraryRPC.List.self, .init(), as: ada).items == [kept])
            #expect(try await loans.operations.problem(LibraryRPC.List.self, .init(customerID: ada.userID), as: bob)?.status == 403)
            #expect(try await loans.operations.problem(LibraryRPC.List.self, .init(), as: analyst)?.status == 403)
            #expect(try await loans.operations.ok(LibraryRPC.List.self, .init(customerID: ada.userID), as: analyst).items == [kept])
            #expect(try await loans.operations.problem(LibraryRPC.Locate.self, .init(documentID: kept.id), as: bob)?.status == 404)
            #expect(try await loans.operations.ok(LibraryRPC.Locate.self, .init(documentID: kept.id), as: ada).document == kept)
            let named = try await loans.operations.ok(
                LibraryRPC.Locate.self, .init(documentID: kept.id, customerID: ada.userID), as: analyst)
            #expect(named.document == kept)
            let wrongCustomer = LibraryRPC.Locate.Request(documentID: kept.id, customerID: bob.userID)
            #expect(try await loans.operations.problem(LibraryRPC.Locate.self, wrongCustomer, as: analyst)?.status == 404)
        }
    }

    @Test func aManagerWaivesAMissingRequiredDocumentOnceForAStatedReason() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product(requiring: [.govtID, .incomeProof]))
            let manager = Principal.signedIn(as: .manager)
            let waive = WaiversRPC.Waive.Request(
                applicationID: application.id, documentType: .incomeProof, reason: " Pensioner, paid by the state ")
            #expect(try await loans.operations.problem(WaiversRPC.Waive.self, waive, as: .signedIn(as: .analyst))?.status == 403)
            #expect(try await loans.operations.problem(WaiversRPC.Waive.self, waive, as: client)?.status == 403)
            var silent = waive
            silent.reason = "   "
            #expect(try await loans.operations.problem(WaiversRPC.Waive.self, silent, as: manager)?.errors?.map(\.field) == ["reason"])
            #expect(try await loans.database.count("waivers") == 0)
            let result = try await loans.operations.call(WaiversRPC.Waive.self, waive, as: manager)
            #expect(result.status == 201)
            let waiver = try result.decode(DocumentWaiver.self)
            #expect(waiver.reason == "Pensioner, paid by the state" && waiver.waivedBy == manager.userID)
            let read = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(read.missingDocuments == [.govtID] && read.waivers == [waiver])
            let audit = try await loans.published(LoansEvents.DocumentWaived.self)
            #expect(audit.map(\.waiverID) == [waiver.id] && audit.first?.actorRole == .manager)
            let again = try await loans.operations.problem(WaiversRPC.Waive.self, waive, as: .signedIn(as: .director))
            #expect(again?.status == 409)
            #expect(try await loans.database.count("waivers") == 1)
        }
    }

    @Test func onlyAMissingRequiredDocumentOfAnUndecidedApplicationIsWaived() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let product = try await loans.product(requiring: [.govtID])
            let application = try await loans.submit(for: client, product: product)
            let manager = Principal.signedIn(as: .manager)
            let unrequired = try await loans.operations.problem(
                WaiversRPC.Waive.self, .init(applicationID: application.id, documentType: .photo, reason: "no camera"), as: manager)
            #expect(unrequired?.status == 422 && unrequired?.errors?.map(\.field) == ["document_type"])
            _ = try await loans.upload(.govtID, to: application, as: client)
            let provided = try await loans.operations.problem(
                WaiversRPC.Waive.self, .init(applicationID: application.id, documentType: .govtID, reason: "seen it"), as: manager)
            #expect(provided?.status == 422)
            let decided = try await loans.submit(for: client, product: product)
            try await loans.approve(decided)
            let late = try await loans.operations.problem(
                WaiversRPC.Waive.self, .init(applicationID: decided.id, documentType: .govtID, reason: "too late"), as: manager)
            #expect(late?.status == 409)
            let nowhere = try await loans.operations.problem(
                WaiversRPC.Waive.self, .init(applicationID: UUID(), documentType: .govtID, reason: "who"), as: manager)
            #expect(nowhere?.status == 404)
            #expect(try await loans.database.count("waivers") == 0)
            #expect(try await loans.published(LoansEvents.DocumentWaived.self).isEmpty)
        }
    }
}
