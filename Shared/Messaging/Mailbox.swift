import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands work to a connection's thread. The thread sleeps in `poll` on the broker socket and on a
/// pipe; posting to an empty mailbox writes a byte to the pipe so the thread wakes at once.
final class Mailbox: Sendable {
    typealias Command = @Sendable (ConnectionWorker) -> Void

    private struct State {
        var commands: [Command] = []
        var closed = false
    }

    private let state = Mutex(State())
    let wakeDescriptor: Int32
    private let wakeWriteDescriptor: Int32

    init() {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { fatalError("cannot create a pipe: errno \(errno)") }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = descriptors[0]
        wakeWriteDescriptor = descriptors[1]
    }

    deinit {
        Glibc.close(wakeDescriptor)
        Glibc.close(wakeWriteDescriptor)
    }

    /// Queues a command; `false` once the connection has shut down for good.
    func post(_ command: @escaping Command) -> Bool {
        let (accepted, wasEmpty) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.commands.append(command)
            return (true, state.commands.count == 1)
        }
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(wakeWriteDescriptor, &byte, 1)
        }
        return accepted
    }

    /// Drains the pipe before the queue, so a post racing with this call still wakes the next poll.
    /// One read: a byte is written only when the queue goes from empty to not, so there are
    /// rarely more than a few, and one left over costs a spare turn of the loop, not a lost wake.
    func take() -> [Command] {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        _ = withUnsafeMutableBytes(of: &buffer) { read(wakeDescriptor, $0.baseAddress, $0.count) }
        return state.withLock { state in
            defer { state.commands.removeAll() }
            return state.commands
        }
    }

    /// Refuses every later post and returns what was still queued.
    func close() -> [Command] {
        state.withLock { state in
            state.closed = true
            defer { state.commands.removeAll() }
            return state.commands
        }
    }
}
