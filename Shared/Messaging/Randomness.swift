import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Fills `buffer` with random bytes from the system's generator in one `getrandom` call.
func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress else { return }
    #if canImport(Glibc)
    arc4random_buf(base, buffer.count)
    #else
    var generator = SystemRandomNumberGenerator()
    for index in 0..<buffer.count { base.storeBytes(of: generator.next() as UInt8, toByteOffset: index, as: UInt8.self) }
    #endif
}

extension UUID {
    /// A random (version 4) UUID. Foundation's `UUID()` on Linux opens, reads and closes
    /// `/dev/urandom` each time: three system calls for every message id, reply and request id,
    /// a few per request (measured on the gateway's authenticated read).
    public static func random() -> UUID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes, fillRandom)
        bytes.6 = (bytes.6 & 0x0F) | 0x40  // version 4
        bytes.8 = (bytes.8 & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: bytes)
    }
}
