import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where webhooks may go, from the environment.
struct WebhookTargetSettings: Sendable {
    /// Plain `http` targets (`WEBHOOK_ALLOW_HTTP=true`): for local development only.
    var allowHTTP = false
    /// Internal addresses allowed anyway (`WEBHOOK_ALLOWED_INTERNAL_ADDRESSES`, comma-separated):
    /// a receiver an operator runs inside their own network, on purpose.
    var allowedInternal: Set<[UInt8]> = []
}

/// A webhook URL checked for delivery: `https` (or `http` where allowed), and a host that is, and
/// resolves only to, public addresses. Checked when a webhook is created and again before every
/// delivery, whose connection is then pinned to the addresses checked, so a name that resolves
/// differently a moment later (DNS rebinding) cannot send it inside.
struct WebhookTarget: Sendable {
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed
        case plainHTTP
        case unresolved(String)
        case internalAddress(String)

        var description: String {
            switch self {
            case .malformed: "must be an https URL with a host"
            case .plainHTTP: "must use https"
            case .unresolved(let host): "has a host that does not resolve (\(host))"
            case .internalAddress(let address):
                "must not point to a loopback, private, link-local, multicast or metadata address (\(address))"
            }
        }
    }

    let url: String
    let host: String
    let port: Int
    let addresses: [[UInt8]]
    /// Whether the host is a name (pinned at delivery) rather than an address.
    let isName: Bool

    /// `url` checked against `settings`, resolving its host name.
    static func check(_ url: String, settings: WebhookTargetSettings) async -> Result<WebhookTarget, Refusal> {
        guard url.count <= 2000, let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let rawHost = components.host, !rawHost.isEmpty
        else { return .failure(.malformed) }
        switch scheme {
        case "https": break
        case "http" where settings.allowHTTP: break
        case "http": return .failure(.plainHTTP)
        default: return .failure(.malformed)
        }
        let host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let numeric = WebhookTargetPolicy.numericAddress(host)
        let addresses: [[UInt8]]
        if let numeric {
            addresses = [numeric]
        } else {
            addresses = (try? await NIOThreadPool.singleton.runIfActive { resolve(host) }) ?? []
            guard !addresses.isEmpty else { return .failure(.unresolved(host)) }
        }
        if let refused = addresses.first(where: { WebhookTargetPolicy.isInternal($0) && !settings.allowedInternal.contains($0) }) {
            return .failure(.internalAddress(WebhookTargetPolicy.text(of: refused)))
        }
        return .success(WebhookTarget(url: url, host: host, port: port, addresses: addresses, isName: numeric == nil))
    }

    /// Every address `host` resolves to (TCP), blocking.
    private static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let address = entry.pointee.ai_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    addresses.append(withUnsafeBytes(of: v4.pointee.sin_addr) { Array($0) })
                }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    addresses.append(withUnsafeBytes(of: v6.pointee.sin6_addr) { Array($0) })
                }
            default:
                continue
            }
        }
        return Array(Set(addresses)).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// libcurl's `CURLOPT_RESOLVE` entry that makes it connect to the checked addresses only.
    var pin: String {
        "\(host):\(port):"
            + addresses.map { $0.count == 16 ? "[\(WebhookTargetPolicy.text(of: $0))]" : WebhookTargetPolicy.text(of: $0) }
            .joined(separator: ",")
    }
}
