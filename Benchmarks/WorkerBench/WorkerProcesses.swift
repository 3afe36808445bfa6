import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// W analysis-worker processes started for one round, each with its own admin port and
/// instance name, all pointed at the same servers and bureau.
struct WorkerProcesses {
    let processes: [Process]
    /// Each worker's stdout and stderr, for when a round goes wrong.
    let logDirectory: URL

    init(count: Int, concurrency: Int, binary: String, bureauURL: String, servers: [String: String], logDirectory: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no analysis worker at \(binary): build it with swift build -c release --product analysis-worker")
        }
        self.logDirectory = logDirectory
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        var processes: [Process] = []
        for (number, adminPort) in zip(1...count, try Self.freePorts(count)) {
            let instance = "worker-bench-\(number)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.environment = ProcessInfo.processInfo.environment.merging(servers) { $1 }.merging([
                "WORKER_CONCURRENCY": "\(concurrency)",
                "ANALYSIS_BUREAU_URL": bureauURL,
                "ADMIN_PORT": "\(adminPort)",
                "SERVICE_INSTANCE": instance,
                "BIND_ADDRESS": "127.0.0.1",
            ]) { $1 }
            let log = logDirectory.appendingPathComponent("\(instance)-c\(concurrency).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            try process.run()
            processes.append(process)
        }
        self.processes = processes
    }

    var allRunning: Bool { processes.allSatisfy(\.isRunning) }

    /// SIGTERM, the way an orchestrator stops a worker (it finishes what it holds); SIGKILL for
    /// any still running after `grace`.
    func stop(grace: Duration = .seconds(20)) async {
        for process in processes where process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + grace
        while processes.contains(where: \.isRunning), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// `count` distinct loopback ports nobody listens on right now, as the system picks them for
    /// port 0 (all held open until the last is picked, so no two are the same).
    private static func freePorts(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { _ = close($0) } }
        return try (0..<count).map { _ in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
            descriptors.append(descriptor)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound else { throw BenchError("could not find a free port: errno \(errno)") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
