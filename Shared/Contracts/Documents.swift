import Foundation

public struct Document: Codable, Sendable, Equatable {
    public var id: UUID
    public var documentType: DocumentType
    public var filename: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var uploadedAt: Date

    public init(id: UUID, documentType: DocumentType, filename: String, contentType: String, size: Int, sha256: String, uploadedAt: Date) {
        self.id = id
        self.documentType = documentType
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.uploadedAt = uploadedAt
    }
}

/// Application documents. The gateway keeps the bytes in the blob store; `loans` keeps what they
/// are and who may read them, so files never travel over the bus.
public enum DocumentsRPC {
    public enum Record: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            public var documentType: DocumentType
            public var filename: String
            public var contentType: String
            public var size: Int
            public var sha256: String
            /// Where the gateway stored the bytes.
            public var blobKey: String

            public init(
                applicationID: UUID, documentType: DocumentType, filename: String, contentType: String, size: Int, sha256: String,
                blobKey: String
            ) {
                self.applicationID = applicationID
                self.documentType = documentType
                self.filename = filename
                self.contentType = contentType
                self.size = size
                self.sha256 = sha256
                self.blobKey = blobKey
            }
        }
        public typealias Response = Document
        public static let service = ServiceName.loans
        public static let name = "documents.record.v1"
    }

    public enum Locate: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            public var documentID: UUID

            public init(applicationID: UUID, documentID: UUID) {
                self.applicationID = applicationID
                self.documentID = documentID
            }
        }
        public struct Response: Codable, Sendable {
            public var document: Document
            public var blobKey: String

            public init(document: Document, blobKey: String) {
                self.document = document
                self.blobKey = blobKey
            }
        }
        public static let service = ServiceName.loans
        public static let name = "documents.locate.v1"
    }
}

/// A manager's decision that an application may be approved without one of its product's
/// required documents, and why.
public struct DocumentWaiver: Codable, Sendable, Equatable {
    public var id: UUID
    public var applicationID: UUID
    public var documentType: DocumentType
    public var reason: String
    public var waivedBy: UUID
    public var createdAt: Date

    public init(id: UUID, applicationID: UUID, documentType: DocumentType, reason: String, waivedBy: UUID, createdAt: Date) {
        self.id = id
        self.applicationID = applicationID
        self.documentType = documentType
        self.reason = reason
        self.waivedBy = waivedBy
        self.createdAt = createdAt
    }
}

public enum WaiversRPC {
    public enum Waive: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            public var documentType: DocumentType
            public var reason: String

            public init(applicationID: UUID, documentType: DocumentType, reason: String) {
                self.applicationID = applicationID
                self.documentType = documentType
                self.reason = reason
            }
        }
        public typealias Response = DocumentWaiver
        public static let service = ServiceName.loans
        public static let name = "loans.waive-document.v1"
    }
}

extension LoansEvents {
    /// A required document was waived: a staff action, for the audit log.
    public struct DocumentWaived: DomainEvent, Equatable {
        public static let type = "loans.application.document_waived.v1"
        public var waiverID: UUID
        public var applicationID: UUID
        public var documentType: DocumentType
        public var reason: String
        public var actorID: UUID
        public var actorRole: Role
        public var occurredAt: Date

        public init(
            waiverID: UUID, applicationID: UUID, documentType: DocumentType, reason: String, actorID: UUID, actorRole: Role,
            occurredAt: Date
        ) {
            self.waiverID = waiverID
            self.applicationID = applicationID
            self.documentType = documentType
            self.reason = reason
            self.actorID = actorID
            self.actorRole = actorRole
            self.occurredAt = occurredAt
        }
    }
}

/// The customer's document library: KYC documents kept once and attached to any application.
/// Bytes live in the gateway's blob store, as for application documents.
public enum LibraryRPC {
    public enum Record: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var documentType: DocumentType
            public var filename: String
            public var contentType: String
            public var size: Int
            public var sha256: String
            public var blobKey: String

            public init(documentType: DocumentType, filename: String, contentType: String, size: Int, sha256: String, blobKey: String) {
                self.documentType = documentType
                self.filename = filename
                self.contentType = contentType
                self.size = size
                self.sha256 = sha256
                self.blobKey = blobKey
            }
        }
        public typealias Response = Document
        public static let service = ServiceName.loans
        public static let name = "library.record.v1"
    }

    /// A client's own library, or (for staff) the customer's named by `customerID`.
    public enum List: ServiceOperation {
        public typealias Request = CustomerPageRequest
        public typealias Response = Page<Document>
        public static let service = ServiceName.loans
        public static let name = "library.list.v1"
    }

    public enum Locate: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var documentID: UUID
            /// Staff name the customer; a client reads their own.
            public var customerID: UUID?

            public init(documentID: UUID, customerID: UUID? = nil) {
                self.documentID = documentID
                self.customerID = customerID
            }
        }
        public typealias Response = DocumentsRPC.Locate.Response
        public static let service = ServiceName.loans
        public static let name = "library.locate.v1"
    }

    public enum Delete: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var documentID: UUID

            public init(documentID: UUID) {
                self.documentID = documentID
            }
        }
        public struct Response: Codable, Sendable {
            public var blobKey: String
            /// Whether an application still holds the file (then its bytes stay).
            public var stillAttached: Bool

            public init(blobKey: String, stillAttached: Bool) {
                self.blobKey = blobKey
                self.stillAttached = stillAttached
            }
        }
        public static let service = ServiceName.loans
        public static let name = "library.delete.v1"
    }

    /// Attaches a library document to one of the client's applications.
    public enum Attach: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            public var libraryDocumentID: UUID

            public init(applicationID: UUID, libraryDocumentID: UUID) {
                self.applicationID = applicationID
                self.libraryDocumentID = libraryDocumentID
            }
        }
        public typealias Response = Document
        public static let service = ServiceName.loans
        public static let name = "library.attach.v1"
    }
}
