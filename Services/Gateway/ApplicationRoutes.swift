import Contracts
import Hummingbird

/// `/api/v1/applications`: credit requests.
struct ApplicationRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("applications") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(ApplicationsRPC.Submit.self, request, context)
        }
        api.get("applications") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = ApplicationsRPC.List.Request(
                status: try query.value("status", as: ApplicationStatus.self), minAmount: try query.money("min_amount"),
                maxAmount: try query.money("max_amount"), from: try query.date("from"), to: try query.date("to"),
                customerID: try query.uuid("customer_id"), productID: try query.uuid("product_id"),
                sort: try query.value("sort", as: ApplicationsRPC.Sort.self), page: try query.page())
            return try await forwarder.forwardList(ApplicationsRPC.List.self, list, context: context)
        }
        api.get("applications/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let id = ApplicationsRPC.ByID(id: try RouteSupport.pathID(context, "application"))
            return try await forwarder.forwardResource(ApplicationsRPC.Get.self, id, context: context)
        }
        api.post("applications/:id/withdraw") { request, context in
            let context = try await support.signedIn(request, context)
            let id = ApplicationsRPC.ByID(id: try RouteSupport.pathID(context, "application"))
            return try await forwarder.forwardResource(ApplicationsRPC.Withdraw.self, id, context: context)
        }
    }
}
