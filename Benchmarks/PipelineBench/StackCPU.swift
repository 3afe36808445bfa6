import Foundation

/// CPU time (user + system, from `/proc/PID/stat`) spent by the processes of a stack: each root
/// process given (a service, the PostgreSQL postmaster, the RabbitMQ node, redis-server) and
/// every process under it (PostgreSQL's backends), grouped by the root's name.
struct StackCPU {
    /// Seconds of CPU per group, at one moment.
    struct Sample {
        let seconds: [String: Double]

        /// Milliseconds per group spent between `earlier` and this sample.
        func milliseconds(since earlier: Sample) -> [(group: String, ms: Double)] {
            seconds.map { group, total in (group, max(0, total - (earlier.seconds[group] ?? 0)) * 1000) }
                .sorted { $0.ms > $1.ms }
        }
    }

    private let roots: [Int32]
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    init(roots: [Int32]) {
        self.roots = roots
    }

    func sample() -> Sample {
        let processes = Self.processes()
        var children: [Int32: [Int32]] = [:]
        for (pid, process) in processes { children[process.parent, default: []].append(pid) }
        var seconds: [String: Double] = [:]
        for root in roots {
            guard let rootProcess = processes[root] else { continue }
            let group = Self.groupName(rootProcess.name)
            var pending = [root]
            while let pid = pending.popLast() {
                if let process = processes[pid] { seconds[group, default: 0] += Double(process.ticks) / ticksPerSecond }
                pending += children[pid] ?? []
            }
        }
        return Sample(seconds: seconds)
    }

    /// Replicas of one program (the analysis workers, the gateways) share its name, and so a group.
    private static func groupName(_ name: String) -> String {
        name == "beam.smp" ? "rabbitmq" : name
    }

    private struct Process {
        let name: String
        let parent: Int32
        let ticks: Int
    }

    private static func processes() -> [Int32: Process] {
        var processes: [Int32: Process] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            // After the name: state, ppid, … utime is the 14th field of the line, stime the 15th.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 12, let parent = Int32(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]) else {
                continue
            }
            processes[pid] = Process(name: String(stat[stat.index(after: open)..<close]), parent: parent, ticks: user + system)
        }
        return processes
    }
}
