import Contracts
import Foundation
import Hummingbird

/// `/api/v1/users`: staff administration (the rules are `auth`'s; the gateway only signs callers in).
struct UserController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    struct Patch: Codable {
        let fullName: String?
        let role: Role?
        let status: AuthRPC.AccountStatus?
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("users", use: create)
        routes.get("users", use: list)
        routes.get("users/:id", use: user)
        routes.patch("users/:id", use: update)
        return routes
    }

    @Sendable func create(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.create(UsersRPC.Create.self, request, context)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = UsersRPC.List.Request(
            role: try query.value("role", as: Role.self), status: try query.value("status", as: AuthRPC.AccountStatus.self),
            q: try query.string("q"), page: try query.page())
        return try await forwarder.forwardList(UsersRPC.List.self, list, context: context)
    }

    @Sendable func user(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardResource(UsersRPC.Get.self, .init(id: try RouteSupport.pathID(context, "user")), context: context)
    }

    @Sendable func update(_ request: Request, context: SignedIn) async throws -> Response {
        let id = try RouteSupport.pathID(context, "user")
        let patch = try await support.body.json(Patch.self, from: request)
        let update = UsersRPC.Update.Request(
            id: id, fullName: patch.fullName, role: patch.role, status: patch.status,
            expectedVersion: try Query(request: request).expectedVersion())
        return try await forwarder.forward(UsersRPC.Update.self, update, context: context)
    }
}
