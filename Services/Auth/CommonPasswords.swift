import Foundation

/// The 10,000 most common passwords, which a new password may not be (ASVS 2.1.7). The list is
/// `Data/common-passwords.txt`, the head of zxcvbn's frequency list (`deploy/tools/common-passwords`
/// refreshes it); `CommonPasswordsPlugin` compiles it into `table` at build time. Compared in
/// lower case, so `Password123` counts as `password123`.
enum CommonPasswords {
    /// The table, sorted, decoded on first use.
    private static let sorted: [Substring] = {
        guard let data = Data(base64Encoded: table) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }()

    static func contains(_ password: String) -> Bool {
        let candidate = Substring(password.lowercased())
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < candidate { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == candidate
    }
}
