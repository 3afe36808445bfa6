import Foundation

/// Where uploaded files live. The gateway writes and reads them; `loans` only keeps their keys.
/// A filesystem folder by default; an S3-compatible store fits behind the same protocol.
protocol BlobStore: Sendable {
    /// A new, empty blob to write into; `commit` makes it readable under its key.
    func create() throws -> BlobWriter
    func read(_ key: String) throws -> Data
    func delete(_ key: String)
}

protocol BlobWriter: AnyObject {
    var key: String { get }
    func append(_ bytes: UnsafeRawBufferPointer) throws
    func commit() throws
    func discard()
}

/// Blobs as files named by random keys in one folder: no name from a client ever reaches the
/// filesystem. Files are written under a temporary name and renamed into place when complete.
struct FolderBlobStore: BlobStore {
    let folder: URL

    init(path: String) throws {
        folder = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func create() throws -> BlobWriter {
        try FileBlobWriter(folder: folder, key: UUID().uuidString.lowercased())
    }

    func read(_ key: String) throws -> Data {
        try Data(contentsOf: try url(for: key))
    }

    func delete(_ key: String) {
        if let url = try? url(for: key) { try? FileManager.default.removeItem(at: url) }
    }

    /// Keys are ours (UUIDs), but a key read back from elsewhere is checked all the same.
    private func url(for key: String) throws -> URL {
        guard UUID(uuidString: key) != nil else { throw CocoaError(.fileReadInvalidFileName) }
        return folder.appendingPathComponent(key)
    }
}

private final class FileBlobWriter: BlobWriter {
    let key: String
    private let temporary: URL
    private let final: URL
    private let handle: FileHandle

    init(folder: URL, key: String) throws {
        self.key = key
        temporary = folder.appendingPathComponent(".incoming-\(key)")
        final = folder.appendingPathComponent(key)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        handle = try FileHandle(forWritingTo: temporary)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try handle.write(contentsOf: bytes)
    }

    func commit() throws {
        try handle.close()
        try FileManager.default.moveItem(at: temporary, to: final)
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}
