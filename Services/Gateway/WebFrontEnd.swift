import Hummingbird
import Logging

/// The web front end: dependency-free HTML, CSS and JavaScript modules under `GATEWAY_WEB_ROOT`,
/// served at `/` for any path outside `/api/` that no route answers. The pages talk to the public
/// API only, like any other client.
///
/// Files are read from disk on each request (Hummingbird's `FileMiddleware`, with ETag and
/// Last-Modified); browsers revalidate (`no-cache`), so an edited page is live without a rebuild.
/// Container images copy the folder beside the binary.
struct WebFrontEnd: RouterMiddleware {
    private let files: FileMiddleware<GatewayContext, LocalFileSystem>

    init(root: String, logger: Logger) {
        files = FileMiddleware(root, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger)
    }

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        // An API path that is not found is the API's 404, never a file lookup.
        if request.uri.path.hasPrefix("/api/") { return try await next(request, context) }
        let response = try await files.handle(request, context: context, next: next)
        // Counted by the traffic meter as one route, in the router's notation for "any path".
        if context.endpointPath == Self.fileMiddlewareEndpoint { context.coreContext.endpointPath.value = "/**" }
        return response
    }

    /// The route name `FileMiddleware` gives a file it served.
    private static let fileMiddlewareEndpoint = "FileMiddleware"

    /// What pages may load: the gateway's own scripts, styles and API (its WebSocket too), and
    /// inline `data:` images. No inline script, no plugins, no framing.
    static let pageSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
