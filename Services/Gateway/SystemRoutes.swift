import Foundation
import Hummingbird
import ServiceKit

/// The gateway's root: health, readiness, the token verification keys, and the API document.
struct SystemRoutes {
    let readiness: Readiness
    let keys: VerificationKeys
    let openAPIDocument: ByteBuffer

    init(readiness: Readiness, keys: VerificationKeys) throws {
        self.readiness = readiness
        self.keys = keys
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "openapi.json is missing from the gateway's resources"])
        }
        openAPIDocument = ByteBuffer(bytes: try Data(contentsOf: url))
    }

    func add(to router: Router<GatewayContext>) {
        AdminServer.addRoutes(to: router, readiness: readiness)
        router.get("/.well-known/jwks.json") { _, _ in
            let result = try await keys.document()
            return HTTPReply.json(status: result.status, body: result.body)
        }
        router.get("/api/v1/openapi.json") { [openAPIDocument] _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPIDocument))
        }
    }
}
