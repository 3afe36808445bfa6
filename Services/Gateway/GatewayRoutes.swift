import Hummingbird

/// Every route the gateway serves, added in one place: `main.swift` serves them, and
/// `APIContractTests` compares their list with `RouteTable` and `openapi.json`.
struct GatewayRoutes {
    let system: SystemRoutes
    let api: APIRoutes
    let notifications: NotificationController
    let sync: SyncController

    /// Adds the root's routes to `router`, and `/api/v1`'s behind `admission`, which
    /// authenticates every request of the API.
    func add(to router: Router<GatewayContext>, admission: some RouterMiddleware<GatewayContext>) {
        system.add(to: router)
        let apiGroup = router.group("api/v1").add(middleware: admission)
        let signedIn = api.add(to: apiGroup)
        apiGroup.addRoutes(notifications.publicRoutes)
        signedIn.addRoutes(notifications.routes)
        signedIn.addRoutes(sync.routes)
    }
}
