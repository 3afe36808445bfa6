import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The gateway as a client app sees it: HTTP on `GATEWAY_URL`, JSON in and out.
struct API {
    typealias Method = HTTPMethod

    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }

        var text: String { String(decoding: body, as: UTF8.self) }

        subscript(_ key: String) -> String? { json[key] as? String }

        var problemType: String? { self["type"] }
        var fieldErrors: [String] { (json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [] }
    }

    let base: String
    /// Sent as `X-Forwarded-For` (the test stack trusts loopback as a proxy), so every test is a
    /// client of its own for the per-address budgets.
    let clientAddress: String

    init(clientAddress: String = API.randomAddress()) throws {
        base = try TestEnvironment.require("GATEWAY_URL")
        self.clientAddress = clientAddress
    }

    init(base: String) {
        self.base = base
        self.clientAddress = API.randomAddress()
    }

    /// An address from the IPv6 documentation prefix (RFC 3849), only ever a header value; random
    /// enough that no two tests share one.
    static func randomAddress() -> String {
        "2001:db8::\(String(UInt16.random(in: 1...UInt16.max), radix: 16)):\(String(UInt16.random(in: 1...UInt16.max), radix: 16))"
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = "application/json",
        token: String? = nil, headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "X-Forwarded-For", value: clientAddress)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
    }

    func sendBytes(_ method: HTTPMethod, _ path: String, body: [UInt8], contentType: String, token: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.body = .bytes(ByteBuffer(bytes: body))
        request.headers.add(name: "Content-Type", value: contentType)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "X-Forwarded-For", value: clientAddress)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: collected))
    }

    func post(_ path: String, _ json: [String: Any], token: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await send(.POST, path, body: String(decoding: data, as: UTF8.self), token: token, headers: headers)
    }

    func patch(_ path: String, _ json: [String: Any], token: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await send(.PATCH, path, body: String(decoding: data, as: UTF8.self), token: token, headers: headers)
    }

    func get(_ path: String, token: String? = nil) async throws -> Reply {
        try await send(.GET, path, token: token)
    }

    /// Every item of a listing, page by page (`path` may carry a query of its own).
    func allItems(_ path: String, token: String? = nil) async throws -> [[String: Any]] {
        let pageSize = 100
        var items: [[String: Any]] = []
        for page in 1... {
            let reply = try await get("\(path)\(path.contains("?") ? "&" : "?")page_size=\(pageSize)&page=\(page)", token: token)
            try #require(reply.status == 200, "\(path): \(reply.status) \(reply.text)")
            let pageItems = reply.json["items"] as? [[String: Any]] ?? []
            items += pageItems
            if pageItems.count < pageSize { break }
        }
        return items
    }
}

/// Accounts for tests: each one new, so tests never share state.
struct Accounts {
    let api: API
    let password = "a sound password"

    /// Registers a client and returns its email.
    func register(_ name: String = "client") async throws -> String {
        let email = "\(name)-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        let reply = try await api.post("/api/v1/auth/register", ["email": email, "password": password, "full_name": "Test Client"])
        try #require(reply.status == 201, "register answered \(reply.status): \(reply.text)")
        return email
    }

    /// A registered, verified client's email.
    func activeClient() async throws -> String {
        let email = try await register()
        let code = try await Mail.code(sentTo: email)
        let verified = try await api.post("/api/v1/auth/verify-otp", ["email": email, "code": code])
        try #require(verified.status == 200, "verify answered \(verified.status): \(verified.text)")
        return email
    }

    func login(_ email: String, password: String? = nil) async throws -> (access: String, refresh: String) {
        let reply = try await api.post("/api/v1/auth/login", ["email": email, "password": password ?? self.password])
        try #require(reply.status == 200, "login answered \(reply.status): \(reply.text)")
        return (try #require(reply["access_token"]), try #require(reply["refresh_token"]))
    }
}

/// The emails `notifications` wrote in local mode.
enum Mail {
    static let folder = LocalMessages(folderVariable: "MAIL_DIR", fileExtension: "eml", lineEnd: "\r\n")

    /// The verification code in the newest email to `address`, waiting for it to arrive.
    static func code(sentTo address: String, after previous: String? = nil) async throws -> String {
        try await folder.code(sentTo: address, after: previous)
    }

    /// The first email to `address` that contains `text`, waiting for it to arrive.
    static func message(to address: String, containing text: String) async throws -> String {
        try await folder.message(to: address, containing: text)
    }
}

/// The texts `notifications` wrote in local mode.
enum SMS {
    static let folder = LocalMessages(folderVariable: "SMS_DIR", fileExtension: "txt", lineEnd: "\n")

    /// The code in the newest text to `phone`, waiting for it to arrive.
    static func code(sentTo phone: String, after previous: String? = nil) async throws -> String {
        try await folder.code(sentTo: phone, after: previous)
    }

    /// How many texts went to `phone` so far.
    static func count(to phone: String) throws -> Int {
        try folder.messages(to: phone).count
    }
}

/// A local-mode message folder: one file per message, starting with a `To:` line.
struct LocalMessages {
    let folderVariable: String
    let fileExtension: String
    let lineEnd: String

    func code(sentTo address: String, after previous: String?) async throws -> String {
        var code: String?
        _ = await eventually(timeout: .seconds(15)) {
            code = newestCode(to: address)
            return code != nil && code != previous
        }
        return try #require(code, "no message with a code reached \(address)")
    }

    func message(to address: String, containing text: String) async throws -> String {
        var found: String?
        _ = await eventually(timeout: .seconds(15)) {
            found = (try? messages(to: address))?.first { $0.1.contains(text) }?.1
            return found != nil
        }
        return try #require(found, "no message to \(address) says \(text)")
    }

    /// Every message to `address`, with when it was written.
    func messages(to address: String) throws -> [(Date, String)] {
        let folder = URL(fileURLWithPath: try TestEnvironment.require(folderVariable))
        let files =
            (try? FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return files.filter { $0.pathExtension == fileExtension }.compactMap { file -> (Date, String)? in
            guard let text = try? String(contentsOf: file, encoding: .utf8), text.contains("To: \(address)\(lineEnd)"),
                let date = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
            else { return nil }
            return (date, text)
        }
    }

    private func newestCode(to address: String) -> String? {
        guard let newest = (try? messages(to: address))?.max(by: { $0.0 < $1.0 })?.1,
            let range = newest.range(of: #"code is [0-9]{6}"#, options: .regularExpression)
        else { return nil }
        return String(newest[range].suffix(6))
    }
}

/// One session of the bootstrap super admin for the whole run: signing in once per test would
/// spend the account's sign-in budget.
enum SuperAdmin {
    static let session = Task<(access: String, refresh: String), any Error> {
        let api = try API()
        return try await Accounts(api: api).login(
            TestEnvironment.require("BOOTSTRAP_SUPER_ADMIN_EMAIL"), password: TestEnvironment.require("BOOTSTRAP_SUPER_ADMIN_PASSWORD"))
    }
}
