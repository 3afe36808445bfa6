import Contracts
import Foundation
import Hummingbird

/// `/api/v1/calculators`, `/eligibility` and `/products`: the public face of `loans`, and the
/// catalogue's administration.
struct LendingController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    /// Open to anyone; a signed-in caller may see more (staff see inactive products).
    var publicRoutes: RouteCollection<GatewayContext> {
        let routes = RouteCollection(context: GatewayContext.self)
        routes.post("calculators/emi", use: emi)
        routes.post("eligibility/check", use: eligibility)
        routes.get("products", use: products)
        routes.get("products/:id", use: product)
        return routes
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("products", use: createProduct)
        routes.patch("products/:id", use: updateProduct)
        return routes
    }

    @Sendable func emi(_ request: Request, context: GatewayContext) async throws -> Response {
        try await forwarder.forward(LoansRPC.EMI.self, support.body.json(LoansRPC.EMI.Request.self, from: request), context: context)
    }

    @Sendable func eligibility(_ request: Request, context: GatewayContext) async throws -> Response {
        try await forwarder.forward(
            LoansRPC.Eligibility.self, support.body.json(LoansRPC.Eligibility.Request.self, from: request), context: context)
    }

    @Sendable func products(_ request: Request, context: GatewayContext) async throws -> Response {
        let context = try context.signingInIfSent(request)
        let query = Query(request: request)
        let list = ProductsRPC.List.Request(
            type: try query.value("type", as: ProductType.self), minAmount: try query.money("min_amount"),
            maxAmount: try query.money("max_amount"), active: try query.bool("active"), page: try query.page())
        return try await forwarder.forwardList(ProductsRPC.List.self, list, context: context)
    }

    @Sendable func product(_ request: Request, context: GatewayContext) async throws -> Response {
        let context = try context.signingInIfSent(request)
        return try await forwarder.forwardResource(
            ProductsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "product")), context: context)
    }

    @Sendable func createProduct(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.create(ProductsRPC.Create.self, request, context)
    }

    @Sendable func updateProduct(_ request: Request, context: SignedIn) async throws -> Response {
        let update = ProductsRPC.Update.Request(
            id: try RouteSupport.pathID(context, "product"), fields: try await support.body.json(ProductsRPC.Fields.self, from: request),
            expectedVersion: try Query(request: request).expectedVersion())
        return try await forwarder.forwardResource(ProductsRPC.Update.self, update, context: context)
    }
}
