import Foundation
import Testing

/// Commands of the local stack that tests run (killing a server or a service).
enum Shell {
    /// Runs `command` with bash and fails the test unless it exits 0. The child gets a clean signal
    /// mask: a child inherits blocked signals, and a server started with SIGTERM blocked could not
    /// be stopped politely afterwards.
    static func run(_ command: String) throws {
        let status = try exitStatus(of: command)
        try #require(status == 0, "\(command) failed with status \(status)")
    }

    /// Whether `command` exits 0, for a condition polled until it holds.
    static func succeeds(_ command: String) -> Bool {
        (try? exitStatus(of: command)) == 0
    }

    private static func exitStatus(of command: String) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let words: [String] = ["/bin/bash", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { (word: String) in strdup(word) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/bash", nil, &attributes, arguments, environ) == 0, "cannot run \(command)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }
}
