import Contracts

/// The `x-principal` header of an RPC, encoded and decoded once per distinct caller: a few callers
/// make most requests, and coding it as JSON on every hop was a few percent of each hop's CPU
/// (measured on the gateway's authenticated read).
enum PrincipalHeader {
    private static let texts = BoundedMemo<Principal, String>(capacity: 4096)
    private static let principals = BoundedMemo<String, Principal>(capacity: 4096)

    static func text(of principal: Principal) throws -> String {
        try texts.value(for: principal) { String(decoding: try JSON.encode($0), as: UTF8.self) }
    }

    static func principal(from text: String) throws -> Principal {
        try principals.value(for: text) { try JSON.decode(Principal.self, from: Array($0.utf8)) }
    }
}
