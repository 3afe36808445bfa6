import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where webhooks may be delivered: public internet addresses only, so that a webhook cannot make
/// the platform call its own network (SSRF: the admin ports, the database, a cloud's metadata
/// service). Pure rules on addresses, unit tested; `WebhookTarget` applies them to what a host
/// name resolves to.
enum WebhookTargetPolicy {
    /// Whether `address` (4 or 16 bytes) is loopback, private, link-local, multicast, reserved or
    /// otherwise not a public unicast address. IPv6 forms that embed an IPv4 address (mapped,
    /// NAT64, 6to4) are judged by the address they embed.
    static func isInternal(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: return isInternalIPv4(address)
        case 16: return isInternalIPv6(address)
        default: return true
        }
    }

    /// The bytes of a numeric IPv4 or IPv6 address (`[::1]` brackets allowed), nil for a name.
    static func numericAddress(_ text: String) -> [UInt8]? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// `address` as text: dotted for IPv4, RFC 5952 for IPv6.
    static func text(of address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        _ = address.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// IPv4 blocks that are not public unicast (RFC 6890 and the multicast and reserved ranges).
    private static let internalIPv4: [(prefix: [UInt8], bits: Int)] = [
        ([0, 0, 0, 0], 8),  // "this network"
        ([10, 0, 0, 0], 8),  // private
        ([100, 64, 0, 0], 10),  // carrier-grade NAT
        ([127, 0, 0, 0], 8),  // loopback
        ([169, 254, 0, 0], 16),  // link-local, cloud metadata (169.254.169.254)
        ([172, 16, 0, 0], 12),  // private
        ([192, 0, 0, 0], 24),  // IETF protocol assignments
        ([192, 0, 2, 0], 24),  // documentation
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),  // benchmarking
        ([198, 51, 100, 0], 24),  // documentation
        ([203, 0, 113, 0], 24),  // documentation
        ([224, 0, 0, 0], 4),  // multicast
        ([240, 0, 0, 0], 4),  // reserved, broadcast
    ]

    private static let internalIPv6: [(prefix: [UInt8], bits: Int)] = [
        ([0x01, 0x00] + [UInt8](repeating: 0, count: 14), 64),  // discard-only
        ([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12), 32),  // documentation
        ([0xfc] + [UInt8](repeating: 0, count: 15), 7),  // unique local
        ([0xfe, 0x80] + [UInt8](repeating: 0, count: 14), 10),  // link-local
        ([0xfe, 0xc0] + [UInt8](repeating: 0, count: 14), 10),  // site-local (deprecated)
        ([0xff] + [UInt8](repeating: 0, count: 15), 8),  // multicast
    ]

    private static func isInternalIPv4(_ address: [UInt8]) -> Bool {
        internalIPv4.contains { matches(address, $0.prefix, bits: $0.bits) }
    }

    private static func isInternalIPv6(_ address: [UInt8]) -> Bool {
        let zero = [UInt8](repeating: 0, count: 16)
        if address == zero || address == Array(zero.dropLast()) + [1] { return true }  // :: and ::1
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
        if address.prefix(10).allSatisfy({ $0 == 0 }), address[10] == address[11], address[10] == 0 || address[10] == 0xff {
            return isInternalIPv4(Array(address[12...]))
        }
        if address.prefix(12) == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {  // NAT64 64:ff9b::/96
            return isInternalIPv4(Array(address[12...]))
        }
        if address.prefix(2) == [0x20, 0x02] {  // 6to4 2002:a.b.c.d::/48
            return isInternalIPv4(Array(address[2..<6]))
        }
        return internalIPv6.contains { matches(address, $0.prefix, bits: $0.bits) }
    }

    private static func matches(_ address: [UInt8], _ prefix: [UInt8], bits: Int) -> Bool {
        for index in 0..<(bits + 7) / 8 {
            let mask: UInt8 = index < bits / 8 ? 0xff : ~(0xff >> UInt8(bits % 8))
            if address[index] & mask != prefix[index] & mask { return false }
        }
        return true
    }
}
