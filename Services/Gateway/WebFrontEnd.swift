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
///
/// A browser path that names nothing gets the site's own 404 page (`404.html`), not an API
/// problem: a person followed a link and needs a way back.
struct WebFrontEnd: RouterMiddleware {
    private let files: FileMiddleware<GatewayContext, LocalFileSystem>
    private let pages: LocalFileSystem

    init(root: String, logger: Logger) {
        files = FileMiddleware(root, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger)
        pages = LocalFileSystem(rootFolder: root, threadPool: .singleton, logger: logger)
    }

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        // An API path that is not found is the API's 404, never a file lookup.
        if request.uri.path.hasPrefix("/api/") { return try await next(request, context) }
        do {
            guard Self.mayServe(request.uri.path) else { throw HTTPError(.notFound) }
            let response = try await files.handle(request, context: context, next: next)
            // Counted by the traffic meter as one route, in the router's notation for "any path".
            if context.endpointPath == Self.fileMiddlewareEndpoint { context.coreContext.endpointPath.value = "/**" }
            return response
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard let page = try await notFoundPage(for: request, context: context) else { throw error }
            return page
        }
    }

    /// The 404 page, for a page request (`GET` or `HEAD`); nil for other methods, or when the
    /// folder has no page (the problem answer stands then). It is a fixed file whatever the path
    /// asked for, so a refused path (`mayServe`) gets it too.
    private func notFoundPage(for request: Request, context: GatewayContext) async throws -> Response? {
        guard request.method == .get || request.method == .head, let id = pages.getFileIdentifier(Self.notFoundFile),
            let attributes = try await pages.getAttributes(id: id), !attributes.isFolder
        else { return nil }
        // The security headers middleware gives it the pages' Content-Security-Policy, as text/html.
        return Response(
            status: .notFound, headers: [.contentType: "text/html; charset=utf-8"], body: try await pages.loadFile(id: id, context: context)
        )
    }

    private static let notFoundFile = "/404.html"

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
