import Hummingbird

/// The controllers of `/api/v1` that need nothing but the services, on the groups their callers
/// need: public routes on the API's own context, the rest in signed-in groups, which refuse a
/// request without a caller before any handler runs. `GatewayRoutes` adds the push and sync routes,
/// which need the broker; the routes' tests build the same groups around services in memory.
struct APIRoutes {
    let support: RouteSupport
    let blobs: any BlobStore

    /// Adds the routes to `api` and returns its signed-in group, for the routes added after.
    @discardableResult
    func add(to api: RouterGroup<GatewayContext>) -> RouterGroup<SignedIn> {
        let signedIn = api.group(context: SignedIn.self)
        let auth = AuthController(support: support)
        api.addRoutes(auth.publicRoutes)
        api.group(context: SignedInForMFASetup.self).addRoutes(auth.mfaSetupRoutes)
        signedIn.addRoutes(auth.routes)
        let lending = LendingController(support: support)
        api.addRoutes(lending.publicRoutes)
        signedIn.addRoutes(lending.routes)
        let analytics = AnalyticsController(support: support)
        api.addRoutes(analytics.publicRoutes)
        signedIn.addRoutes(analytics.routes)
        signedIn.addRoutes(UserController(support: support).routes)
        signedIn.addRoutes(CustomerController(support: support, blobs: blobs).routes)
        signedIn.addRoutes(ApplicationController(support: support, blobs: blobs).routes)
        signedIn.addRoutes(LoanController(support: support).routes)
        signedIn.addRoutes(ApprovalController(support: support).routes)
        signedIn.addRoutes(TicketController(support: support).routes)
        signedIn.addRoutes(WebhookController(support: support).routes)
        return signedIn
    }
}
