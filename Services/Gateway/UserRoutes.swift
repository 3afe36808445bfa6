import Contracts
import Foundation
import Hummingbird

/// `/api/v1/users`: staff administration (the rules are `auth`'s; the gateway only signs callers in).
struct UserRoutes {
    let support: RouteSupport

    private struct Patch: Codable {
        let fullName: String?
        let role: Role?
        let status: AuthRPC.AccountStatus?
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("users") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(UsersRPC.Create.self, request, context)
        }
        api.get("users") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = UsersRPC.List.Request(
                role: try query.value("role", as: Role.self), status: try query.value("status", as: AuthRPC.AccountStatus.self),
                q: try query.string("q"), page: try query.page())
            return try await support.forwarder.forwardList(UsersRPC.List.self, list, context: context)
        }
        api.get("users/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.forwarder.forwardResource(
                UsersRPC.Get.self, .init(id: try RouteSupport.pathID(context, "user")), context: context)
        }
        api.patch("users/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let id = try RouteSupport.pathID(context, "user")
            let patch = try await support.body.json(Patch.self, from: request)
            let update = UsersRPC.Update.Request(
                id: id, fullName: patch.fullName, role: patch.role, status: patch.status,
                expectedVersion: try Query(request: request).expectedVersion())
            return try await support.forwarder.forward(UsersRPC.Update.self, update, context: context)
        }
    }
}
