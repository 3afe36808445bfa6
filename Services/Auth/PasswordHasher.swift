import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on NIO's blocking thread pool: a hash costs tens of milliseconds of CPU, which
/// must not hold one of the few threads of Swift's cooperative pool.
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// Verified against when the email is unknown, so a sign-in takes as long either way and does
    /// not reveal which emails have accounts.
    private let decoyHash: String

    init(cost: UInt8) {
        self.cost = cost
        self.decoyHash = Bcrypt.hash(RandomToken.make(bytes: 16), cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { [cost] in Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let matches = try await NIOThreadPool.singleton.runIfActive { [decoyHash] in
            Bcrypt.verify(password, hash: hash ?? decoyHash)
        }
        return hash != nil && matches
    }
}
