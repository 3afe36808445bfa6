import Contracts
import Hummingbird

/// `/api/v1/me/{profile,financial,employment}` for clients and `/api/v1/customers` for staff.
struct CustomerRoutes {
    let support: RouteSupport

    func add(to api: RouterGroup<GatewayContext>) {
        section(PersonalDetails.self, on: api)
        section(FinancialDetails.self, on: api)
        section(EmploymentDetails.self, on: api)
        api.get("customers") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = CustomersRPC.List.Request(q: try query.string("q"), page: try query.page())
            return try await support.forwarder.forwardList(CustomersRPC.List.self, list, context: context)
        }
        api.get("customers/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let customer = CustomersRPC.Get.Request(id: try RouteSupport.pathID(context, "customer"))
            return try await support.forwarder.forwardResource(CustomersRPC.Get.self, customer, context: context)
        }
    }

    private func section<Section: CustomerSection>(_ type: Section.Type, on api: RouterGroup<GatewayContext>) {
        api.get("me/\(Section.name)") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.forwarder.forwardResource(CustomersRPC.GetSection<Section>.self, Empty(), context: context)
        }
        api.put("me/\(Section.name)") { request, context in
            let context = try await support.signedIn(request, context)
            let put = CustomersRPC.PutSection<Section>.Request(
                section: try await support.body.json(Section.self, from: request),
                expectedVersion: try Query(request: request).expectedVersion())
            return try await support.forwarder.forwardResource(CustomersRPC.PutSection<Section>.self, put, context: context)
        }
    }
}
