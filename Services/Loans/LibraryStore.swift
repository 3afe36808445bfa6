import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `library_documents`: each customer's KYC documents, kept once.
struct LibraryStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func insert(_ document: Document, customerID: UUID, blobKey: String) async throws {
        try await database.client.query(
            """
            INSERT INTO library_documents (id, customer_id, document_type, filename, content_type, size, sha256, blob_key, uploaded_at)
            VALUES (\(document.id), \(customerID), \(document.documentType), \(document.filename), \(document.contentType),
                    \(document.size), \(document.sha256), \(blobKey), \(document.uploadedAt))
            """, logger: logger)
    }

    func list(of customerID: UUID, page: PageRequest) async throws -> Page<Document> {
        let (total, rows) = try await database.listing(
            select: Self.columns, "FROM library_documents WHERE customer_id = \(customerID)", orderBy: "uploaded_at DESC, id",
            limit: page.pageSize, offset: page.offset)
        return Page(items: try await Self.documents(rows).map(\.document), request: page, total: total)
    }

    /// The document with where its bytes are and whose it is.
    func document(_ id: UUID) async throws -> (document: Document, blobKey: String, customerID: UUID)? {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM library_documents WHERE id = \(id)", logger: logger)
        return try await Self.documents(rows).first
    }

    /// Removes the document; whether an application still holds its file.
    func delete(_ id: UUID, blobKey: String) async throws -> Bool {
        try await database.transaction { connection in
            try await connection.query("DELETE FROM library_documents WHERE id = \(id)", logger: logger)
            for try await attached in try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE blob_key = \(blobKey))", logger: logger
            ).decode(Bool.self) { return attached }
            return false
        }
    }

    private static let columns = "id, document_type, filename, content_type, size, sha256, uploaded_at, blob_key, customer_id"

    private static func documents(_ rows: PostgresRowSequence) async throws -> [(document: Document, blobKey: String, customerID: UUID)] {
        var documents: [(Document, String, UUID)] = []
        for try await (id, type, filename, contentType, size, sha, at, key, customer) in rows.decode(
            (UUID, DocumentType, String, String, Int, String, Date, String, UUID).self)
        {
            documents.append(
                (
                    Document(
                        id: id, documentType: type, filename: filename, contentType: contentType, size: size, sha256: sha, uploadedAt: at),
                    key, customer
                ))
        }
        return documents
    }
}
