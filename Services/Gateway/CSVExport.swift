import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// A list as a spreadsheet: `Accept: text/csv` on the application, loan and payment lists gets
/// every page at once (the same filters), streamed page by page as the owning service answers,
/// under a header row. Columns are fixed per list, so an empty export still names them.
struct CSVExport: Sendable {
    let filename: String
    /// JSON paths into each item; a nested field is `parent.child`, written as `parent_child`.
    let columns: [String]

    /// `risk_score` is filled for staff, who get it joined from `approvals` (`ApplicationListView`).
    static let applications = CSVExport(
        filename: "applications.csv",
        columns: [
            "id", "customer_id", "product_id", "amount", "term_months", "purpose", "status", "risk_score", "created_at", "updated_at",
        ])
    static let loans = CSVExport(
        filename: "loans.csv",
        columns: [
            "id", "application_id", "customer_id", "principal", "annual_rate", "term_months", "emi", "disbursed_on", "status",
            "outstanding_principal", "outstanding_fees", "next_due.number", "next_due.due_date", "next_due.amount",
        ])
    static let payments = CSVExport(
        filename: "payments.csv",
        columns: [
            "id", "loan_id", "customer_id", "amount", "reference", "allocation.fees", "allocation.interest", "allocation.principal",
            "outstanding_principal", "created_at",
        ])

    /// Whether the client asked for CSV rather than JSON.
    static func isWanted(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("text/csv") && !accept.contains("application/json")
    }

    /// The rows of every page, fetched one after another; `fetch(n)` answers page `n` of the list.
    /// The first page is fetched before answering, so a refusal is still a problem response; a
    /// later page that fails ends the file early (and is logged by the caller's RPC metrics).
    func response(fetch: @escaping @Sendable (Int) async throws -> RPCResult) async throws -> Response {
        let first = try await fetch(1)
        guard first.status == 200 else { return HTTPReply.response(first) }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "private, no-store"
        let body = ResponseBody { [self] writer in
            try await writer.write(ByteBuffer(string: Self.line(columns.map { $0.replacingOccurrences(of: ".", with: "_") })))
            var page = try JSONValue(parsing: first.body)
            var number = 1
            while true {
                guard case .array(let items)? = page["items"] else { break }
                try await writer.write(ByteBuffer(string: items.map(row).joined()))
                guard case .integer(let total)? = page["total"], number * PageRequest.maximumSize < total, !items.isEmpty else { break }
                number += 1
                let next = try await fetch(number)
                guard next.status == 200 else { break }
                page = try JSONValue(parsing: next.body)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A report (one object of figures) as `figure,value` lines: nested figures are named by
    /// their path (`by_status.approved`), in name order.
    static func figures(_ result: RPCResult, filename: String) throws -> Response {
        guard result.status == 200 else { return HTTPReply.response(result) }
        var lines = [line(["figure", "value"])]
        func flatten(_ value: JSONValue, _ name: String) {
            if case .object(let fields) = value {
                for key in fields.keys.sorted() { flatten(fields[key] ?? .null, name.isEmpty ? key : "\(name).\(key)") }
            } else {
                lines.append(line([name, text(value)]))
            }
        }
        flatten(try JSONValue(parsing: result.body), "")
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: lines.joined())))
    }

    private func row(_ item: JSONValue) -> String {
        Self.line(
            columns.map { path in
                let value = path.split(separator: ".").reduce(Optional(item)) { value, key in value?[String(key)] }
                return Self.text(value)
            })
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .integer(let number)?: String(number)
        case .number(let number)?: String(number)
        case .bool(let flag)?: String(flag)
        case .null?, nil: ""
        case let value?: (try? JSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field that
    /// a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
    static func line(_ fields: [String]) -> String {
        fields.map { field in
            var field = field
            if let first = field.first, "=+-@".contains(first), Double(field) == nil { field = "'" + field }
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
