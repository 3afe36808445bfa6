import Contracts
import Foundation
import Hummingbird

/// `/api/v1/calculators`, `/eligibility` and `/products`: the public face of `loans`.
struct LendingRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("calculators/emi") { request, context in
            try await forwarder.forward(LoansRPC.EMI.self, support.body.json(LoansRPC.EMI.Request.self, from: request), context: context)
        }
        api.post("eligibility/check") { request, context in
            try await forwarder.forward(
                LoansRPC.Eligibility.self, support.body.json(LoansRPC.Eligibility.Request.self, from: request), context: context)
        }
        api.get("products") { request, context in
            let context = try await support.maybeSignedIn(request, context)
            let query = Query(request: request)
            let list = ProductsRPC.List.Request(
                type: try query.value("type", as: ProductType.self), minAmount: try query.money("min_amount"),
                maxAmount: try query.money("max_amount"), active: try query.bool("active"), page: try query.page())
            return try await forwarder.forwardList(ProductsRPC.List.self, list, context: context)
        }
        api.get("products/:id") { request, context in
            let context = try await support.maybeSignedIn(request, context)
            return try await forwarder.forwardResource(
                ProductsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "product")), context: context)
        }
        api.post("products") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(ProductsRPC.Create.self, request, context)
        }
        api.patch("products/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let update = ProductsRPC.Update.Request(
                id: try RouteSupport.pathID(context, "product"),
                fields: try await support.body.json(ProductsRPC.Fields.self, from: request),
                expectedVersion: try Query(request: request).expectedVersion())
            return try await forwarder.forwardResource(ProductsRPC.Update.self, update, context: context)
        }
    }
}
