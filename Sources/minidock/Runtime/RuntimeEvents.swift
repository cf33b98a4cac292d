import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `events ID`: usage statistics as runc's JSON events, every --interval until the container
/// stops; `--stats` prints one and exits.
struct RuntimeEvents: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Display container statistics.")
    @Flag(name: .long, help: "Print the statistics once.") var stats = false
    @Option(name: .long, help: "Seconds between statistics (default 5).") var interval = 5
    @Argument var id: String

    func run() throws {
        guard interval > 0, interval <= 86_400 else { throw ValidationError("--interval \(interval): from 1 to 86400 seconds") }
        try runtimeVerb { runtime in
            repeat {
                let usage = try runtime.statistics(id)
                let limit = usage.memoryLimit.map { ",\"limit\":\($0)" } ?? ""
                print("{\"type\":\"stats\",\"id\":\"\(id)\",\"data\":{\"cpu\":{\"usage\":{\"total\":\(usage.cpuUsageNanoseconds)}},"
                      + "\"memory\":{\"usage\":{\"usage\":\(usage.memoryUsage)\(limit)},\"oom_kill\":\(usage.oomKills)},"
                      + "\"pids\":{\"current\":\(usage.pidsCurrent)}}}")
                fflush(stdout)
                if stats { return }
                sleep(UInt32(interval))
            } while try runtime.state(id).status != .stopped
        }
    }
}
