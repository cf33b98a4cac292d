#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// cgroup v2: one tree, one directory per cgroup, controllers enabled per subtree.
/// What most current hosts have. Tested here against a directory laid out like a v2 tree,
/// because this project's VMs keep their controllers on v1.
enum CgroupV2 {
    /// The controllers minidock uses, in the order they are enabled.
    static let usable = ["cpuset", "cpu", "io", "memory", "pids", "hugetlb"]

    static func create(name: String, resources: Spec.Resources, root: FilePath,
                       naming: @escaping ResourceNaming = { _ in nil }) throws -> Cgroup {
        if resources.devices?.isEmpty == false {
            // v2 has no devices.allow file: device access is an eBPF program attached to the
            // cgroup. Without one the rules would be silently dropped: refuse instead.
            throw RuntimeError("linux.resources.devices: device rules on cgroup v2 need an eBPF device program, which minidock does not have yet")
        }
        let needed = controllers(for: resources)
        // A controller is usable in minidock/NAME only if it is enabled in the subtree
        // control of every ancestor. The root's (or a delegated parent's) belongs to whoever
        // runs us: read it, never write it.
        let available = Set(try CgroupFile.read(root.appending("cgroup.subtree_control")).split(separator: " ").map(String.init))
        if let missing = needed.first(where: { !available.contains($0) }) {
            throw RuntimeError("cgroup controller \(quoted(missing)) is not enabled in \(quoted(root.appending("cgroup.subtree_control").string))")
        }
        // Every available controller is enabled for the container, not only those its limits
        // need, as Docker does: its statistics (memory.events for an OOM kill, pids.current)
        // and its operations exist only where the controller is enabled.
        let enabled = usable.filter(available.contains)
        let directory = try CgroupFile.makeCgroup(name, in: root) { parent in
            let missing = Set(enabled).subtracting(try enabledControllers(parent))
            if !missing.isEmpty {
                try CgroupFile.write(enabled.filter(missing.contains).map { "+" + $0 }.joined(separator: " "),
                                     to: parent.appending("cgroup.subtree_control"))
            }
        }
        let cgroup = Cgroup(name: name, mode: .unified, directories: ["": directory])
        do {
            for (file, value, field) in limitWrites(resources) {
                try CgroupFile.writeLimit(value, to: directory.appending(file), field: field, naming: naming)
            }
        } catch {
            try? CgroupFile.removeDirectory(directory)
            CgroupFile.removeParentIfUnused(directory.removingLastComponent())
            throw error
        }
        return cgroup
    }

    static func controllers(for resources: Spec.Resources) -> [String] {
        var names: [String] = []
        if resources.cpu?.cpus != nil || resources.cpu?.mems != nil { names.append("cpuset") }
        if resources.cpu?.quota != nil || resources.cpu?.shares != nil || resources.cpu?.period != nil { names.append("cpu") }
        if resources.memory != nil { names.append("memory") }
        if resources.pids != nil { names.append("pids") }
        return names
    }

    /// The v2 files and values. Differences from v1 worth knowing:
    /// - memory.swap.max is swap *alone*, while the spec's `swap` is memory plus swap;
    /// - cpu.max holds quota and period together ("max" for no quota);
    /// - cpu.weight (1–10000, default 100) replaces cpu.shares (2–262144, default 1024),
    ///   converted linearly as runc does so that 1024 shares map to weight 39… and 2 to 1.
    static func limitWrites(_ resources: Spec.Resources) -> [(String, String, ResourceField)] {
        var writes: [(String, String, ResourceField)] = []
        if let memory = resources.memory {
            if let limit = memory.limit { writes.append(("memory.max", "\(limit)", .memoryLimit)) }
            if let swap = memory.swap {
                if swap == -1 {
                    writes.append(("memory.swap.max", "max", .memorySwap))
                } else if let limit = memory.limit {
                    // A spec's values are anyone's: subtract without trapping on overflow.
                    let (alone, overflow) = swap.subtractingReportingOverflow(limit)
                    writes.append(("memory.swap.max", overflow ? "\(swap)" : "\(max(0, alone))", .memorySwap))
                }
            }
            if let reservation = memory.reservation { writes.append(("memory.low", "\(reservation)", .memoryReservation)) }
        }
        if let cpu = resources.cpu {
            if cpu.quota != nil || cpu.period != nil {
                let quota = cpu.quota.map { $0 > 0 ? "\($0)" : "max" } ?? "max"
                writes.append(("cpu.max", "\(quota) \(cpu.period ?? DockerResourceFlags.cpuPeriod)",
                               cpu.quota != nil ? .cpuQuota : .cpuPeriod))
            }
            if let shares = cpu.shares, shares > 0 { writes.append(("cpu.weight", "\(weight(fromShares: shares))", .cpuShares)) }
            if let cpus = cpu.cpus { writes.append(("cpuset.cpus", cpus, .cpus)) }
            if let mems = cpu.mems { writes.append(("cpuset.mems", mems, .mems)) }
        }
        if let pids = resources.pids {
            writes.append(("pids.max", pids.limit > 0 ? "\(pids.limit)" : "max", .pidsLimit))
        }
        return writes
    }

    /// runc's conversion of v1 shares [2, 262144] to a v2 weight [1, 10000]. Shares outside
    /// that range (a spec's values are anyone's) are clamped to it first rather than trapping.
    static func weight(fromShares shares: UInt64) -> UInt64 {
        shares == 0 ? 0 : 1 + ((min(max(shares, 2), 262_144) - 2) * 9999) / 262_142
    }

    /// The controllers enabled for a cgroup's children (its cgroup.subtree_control).
    static func enabledControllers(_ directory: FilePath) throws -> Set<String> {
        Set(try CgroupFile.read(directory.appending("cgroup.subtree_control")).split(separator: " ").map(String.init))
    }

    /// Read from the files of the controllers the cgroup has (its cgroup.controllers): a host
    /// that offers no pids controller has no pids.current, and its count is then 0, not an error.
    /// cpu.stat is always there (the kernel keeps usage_usec without the cpu controller).
    static func statistics(of cgroup: Cgroup) throws -> CgroupStatistics {
        let directory = cgroup.directories[""]!
        let has = Set(try CgroupFile.read(directory.appending("cgroup.controllers")).split(separator: " ").map(String.init))
        func number(_ controller: String, _ file: String, key: String? = nil) throws -> UInt64 {
            has.contains(controller) ? try CgroupFile.number(directory.appending(file), key: key) : 0
        }
        let limit = has.contains("memory") ? try CgroupFile.read(directory.appending("memory.max")) : "max"
        return CgroupStatistics(
            memoryUsage: try number("memory", "memory.current"),
            memoryLimit: limit == "max" ? nil : UInt64(limit),
            cpuUsageNanoseconds: try CgroupFile.number(directory.appending("cpu.stat"), key: "usage_usec") * 1000,
            pidsCurrent: try number("pids", "pids.current"),
            oomKills: try number("memory", "memory.events", key: "oom_kill"),
            forksRefused: try number("pids", "pids.events", key: "max")
        )
    }

    static func setFrozen(_ frozen: Bool, _ cgroup: Cgroup) throws {
        let directory = cgroup.directories[""]!
        try CgroupFile.write(frozen ? "1" : "0", to: directory.appending("cgroup.freeze"))
        // cgroup.events says "frozen 1" once every process has stopped.
        let wanted: UInt64 = frozen ? 1 : 0
        for _ in 0..<500 where try CgroupFile.number(directory.appending("cgroup.events"), key: "frozen") != wanted {
            usleep(2_000)
        }
    }

    /// cgroup.kill (Linux 5.14+) SIGKILLs every process in the cgroup at once, with no race
    /// against processes forking while we read cgroup.procs.
    static func killAll(_ cgroup: Cgroup) throws {
        let file = cgroup.directories[""]!.appending("cgroup.kill")
        if CgroupFile.exists(file), try !cgroup.processes().isEmpty {
            try CgroupFile.write("1", to: file)
        }
    }
}
