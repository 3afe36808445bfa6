import Contracts
import Foundation
import ServiceKit

/// `GET/PUT /approvals/policy`, for administrators.
struct PolicyOperations: Sendable {
    let policies: PolicyStore
    static let administrators: Set<Role> = [.admin, .superAdmin]

    func register(on rpc: inout RPCHandlers) {
        rpc.on(ApprovalsRPC.GetPolicy.self) { _, context in
            _ = try context.requireRole(Self.administrators)
            return .ok(try await policies.current())
        }
        rpc.on(ApprovalsRPC.PutPolicy.self) { request, context in
            let actor = try context.requireRole(Self.administrators)
            let problems = PolicyRules.problems(request.policy)
            guard problems.isEmpty else { throw Problem.validation(problems) }
            guard let saved = try await policies.save(request.policy, expectedVersion: request.expectedVersion, by: actor) else {
                throw Problem.staleVersion("policy", current: try await policies.current())
            }
            return .ok(saved)
        }
    }
}
