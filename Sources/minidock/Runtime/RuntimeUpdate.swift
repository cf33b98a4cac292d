import ArgumentParser
import FoundationEssentials
import Runtime
import SystemPackage

/// `update ID`: new limits for a running container, from runc's flags or `-r FILE` (the spec's
/// `linux.resources` as JSON; `-` for standard input).
struct RuntimeUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Update a container's resource limits.")
    @Option(name: [.short, .customLong("resources")], help: "A JSON file of linux.resources, or - for stdin.") var resources: String?
    @Option(name: .long, help: "Memory limit in bytes.") var memory: Int64?
    @Option(name: .long, parsing: .unconditional, help: "Memory plus swap in bytes; -1 for unlimited.") var memorySwap: Int64?
    @Option(name: .long, help: "Soft memory limit in bytes.") var memoryReservation: Int64?
    @Option(name: .long, help: "CPU CFS period in microseconds.") var cpuPeriod: UInt64?
    @Option(name: .long, parsing: .unconditional, help: "CPU CFS quota in microseconds; -1 for none.") var cpuQuota: Int64?
    @Option(name: .customLong("cpu-share"), help: "CPU shares.") var cpuShares: UInt64?
    @Option(name: .long, help: "CPUs allowed (0-3, 0,1).") var cpusetCpus: String?
    @Option(name: .long, help: "Memory nodes allowed.") var cpusetMems: String?
    @Option(name: .long, parsing: .unconditional, help: "Maximum number of processes; 0 or -1 for none.") var pidsLimit: Int64?
    @Argument var id: String

    func run() throws {
        var update = Spec.Resources()
        if let resources {
            let bytes = resources == "-" ? Array(readAllStandardInput()) : try FileContents.read(FilePath(resources), traced: false)
            do {
                update = try JSONDecoder().decode(Spec.Resources.self, from: Data(bytes))
            } catch {
                throw RuntimeError("-r \(resources): not a linux.resources JSON object", exitCode: 1)
            }
        }
        if memory != nil || memorySwap != nil || memoryReservation != nil {
            var value = update.memory ?? Spec.Memory()
            if let memory { value.limit = memory }
            if let memorySwap { value.swap = memorySwap }
            if let memoryReservation { value.reservation = memoryReservation }
            update.memory = value
        }
        if cpuPeriod != nil || cpuQuota != nil || cpuShares != nil || cpusetCpus != nil || cpusetMems != nil {
            var value = update.cpu ?? Spec.CPU()
            if let cpuPeriod { value.period = cpuPeriod }
            if let cpuQuota { value.quota = cpuQuota }
            if let cpuShares { value.shares = cpuShares }
            if let cpusetCpus { value.cpus = cpusetCpus }
            if let cpusetMems { value.mems = cpusetMems }
            update.cpu = value
        }
        if let pidsLimit { update.pids = Spec.Pids(limit: pidsLimit) }
        try runtimeVerb { try $0.update(id, resources: update) }
    }

    func readAllStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        while let line = readLine(strippingNewline: false) { bytes.append(contentsOf: line.utf8) }
        return bytes
    }
}
