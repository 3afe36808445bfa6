import Foundation
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
        guard Self.mayServe(request.uri.path) else { throw HTTPError(.notFound) }
        let response = try await files.handle(request, context: context, next: next)
        // Counted by the traffic meter as one route, in the router's notation for "any path".
        if context.endpointPath == Self.fileMiddlewareEndpoint { context.coreContext.endpointPath.value = "/**" }
        return response
    }

    /// Whether a file may be looked up for `path`, before and after percent-decoding: no NUL or
    /// other control character (the file system would cut the name there, while the content type
    /// came from the whole: `/js/app.js%00.html` served the script as HTML), no backslash, and no
    /// empty segment (for `//app` the index lookup redirected to `//app/`, which a browser
    /// follows to another site).
    static func mayServe(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding else { return false }
        return [path, decoded].allSatisfy { text in
            !text.contains("//") && !text.contains("\\") && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
    }

    /// The route name `FileMiddleware` gives a file it served.
    private static let fileMiddlewareEndpoint = "FileMiddleware"

    /// What pages may load: the gateway's own scripts, styles and API (its WebSocket too), and
    /// inline `data:` images. No inline script, no plugins, no framing.
    static let pageSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
