import BenchSupport
import Foundation
import NIOHTTP1

/// What the submissions need: analysts to receive the applications, and clients whose files are
/// complete (low risk, so that no application is declined before reaching an approver).
struct Setup {
    let clients: [String]

    static let password = "a sound password"

    /// Analysts to receive the applications and `count` clients with complete files.
    static func make(on gateway: GatewayClient, admin: String, clients count: Int, analysts: Int, mailFolder: String) async throws -> Setup
    {
        let run = UUID().uuidString.prefix(6).lowercased()
        for index in 0..<analysts {
            try await gateway.expect(
                201, .POST, "/api/v1/users",
                [
                    "email": "analyst-\(index)-\(run)@bench.example", "password": password, "full_name": "Bench Analyst \(index)",
                    "role": "analyst",
                ], token: admin)
        }
        var clients: [String] = []
        for index in 0..<count {
            clients.append(try await client("client-\(index)-\(run)@bench.example", on: gateway, mailFolder: mailFolder))
        }
        return Setup(clients: clients)
    }

    /// A new product (12 % a year, no documents required), so that each round counts its own.
    static func product(on gateway: GatewayClient, admin: String) async throws -> String {
        let product = try await gateway.expect(
            201, .POST, "/api/v1/products",
            [
                "name": "Bench \(UUID().uuidString.prefix(6))", "type": "personal", "min_amount": "1000.00", "max_amount": "50000.00",
                "min_term_months": 6, "max_term_months": 60, "annual_rate": "12.00", "processing_fee_percent": "1.00",
                "prepayment_fee_percent": "2.00", "required_documents": [String](),
            ], token: admin)
        guard let id = product["id"] as? String else { throw GatewayClient.Failure("the product has no id") }
        return id
    }

    /// Registers, verifies (with the code from the mail folder) and signs in a client, then
    /// completes their file; returns their access token.
    private static func client(_ email: String, on gateway: GatewayClient, mailFolder: String) async throws -> String {
        try await gateway.expect(201, .POST, "/api/v1/auth/register", ["email": email, "password": password, "full_name": "Bench Client"])
        let code = try await verificationCode(to: email, in: mailFolder)
        try await gateway.expect(200, .POST, "/api/v1/auth/verify-otp", ["email": email, "code": code])
        let token = try await gateway.signIn(email, password)
        let sections: [(String, [String: Any])] = [
            (
                "profile",
                [
                    "full_name": "Bench Client", "phone": "+14155550123", "date_of_birth": "1985-04-12",
                    "address": "1 Bench Street, Springfield", "national_id": "BN-\(Int.random(in: 100_000...999_999))",
                ]
            ),
            ("financial", ["monthly_income": "6000.00", "monthly_expenses": "2000.00", "existing_monthly_debt": "250.00"]),
            ("employment", ["employment_type": "salaried", "employer": "Acme", "years_employed": 4]),
        ]
        for (section, body) in sections {
            try await gateway.expect(200, .PUT, "/api/v1/me/\(section)", body, token: token)
        }
        return token
    }

    private static func verificationCode(to email: String, in folder: String) async throws -> String {
        for _ in 0..<100 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files where file.hasSuffix(".eml") {
                guard let text = try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8), text.contains("To: \(email)"),
                    let range = text.range(of: #"code is [0-9]{6}"#, options: .regularExpression)
                else { continue }
                return String(text[range].suffix(6))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw GatewayClient.Failure("no verification code reached \(email) in \(folder)")
    }
}
