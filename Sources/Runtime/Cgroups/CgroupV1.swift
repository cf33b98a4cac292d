#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// cgroup v1: one hierarchy per controller, each with its own files.
/// Used on pure v1 hosts and on hybrid hosts (like this project's VMs).
enum CgroupV1 {
    /// The controllers minidock uses, in the order their directories are made.
    static let controllers = ["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "devices"]

    static func create(name: String, resources: Spec.Resources, root: FilePath, mode: CgroupMode,
                       naming: @escaping ResourceNaming = { _ in nil }) throws -> Cgroup {
        var directories: [String: FilePath] = [:]
        var created: [FilePath] = []
        do {
            for controller in controllers {
                let hierarchy = root.appending(controller)
                guard Directories.isDirectory(hierarchy) else { continue }
                let directory = try CgroupFile.makeCgroup(name, in: hierarchy) { parent in
                    if controller == "cpuset" { try inheritCpuset(into: parent, from: hierarchy) }
                }
                created.append(directory)
                if controller == "cpuset" { try inheritCpuset(into: directory, from: directory.removingLastComponent()) }
                directories[controller] = directory
            }
            for write in limitWrites(resources) {
                guard let directory = directories[write.controller] else {
                    throw RuntimeError("cgroup controller \(quoted(write.controller)) is not mounted under \(quoted(root.string))")
                }
                let file = directory.appending(write.file)
                if write.optional && !CgroupFile.exists(file) { continue }
                try CgroupFile.writeLimit(write.value, to: file, field: write.field, naming: naming)
            }
        } catch {
            for directory in created.reversed() {
                try? CgroupFile.removeDirectory(directory)
                CgroupFile.removeParentIfUnused(directory.removingLastComponent())
            }
            throw error
        }
        return Cgroup(name: name, mode: mode, directories: directories)
    }

    /// A new v1 cpuset starts with no CPUs and no memory nodes, and a process cannot join
    /// it until both are set: copy them from the parent when empty.
    static func inheritCpuset(into directory: FilePath, from parent: FilePath) throws {
        for file in ["cpuset.cpus", "cpuset.mems"] {
            if try CgroupFile.read(directory.appending(file)).isEmpty {
                try CgroupFile.write(try CgroupFile.read(parent.appending(file)), to: directory.appending(file))
            }
        }
    }

    struct LimitWrite: Equatable {
        var controller: String
        var file: String
        var value: String
        /// The spec's value it comes from, for an error that names it.
        var field: ResourceField
        /// Skipped when the kernel lacks the file (memsw without swap accounting).
        var optional = false
    }

    /// The files and values for `resources`, in the order they must be written:
    /// the memory limit before memory+swap, which may never be below it.
    static func limitWrites(_ resources: Spec.Resources) -> [LimitWrite] {
        var writes: [LimitWrite] = []
        if let memory = resources.memory {
            if let limit = memory.limit {
                writes.append(.init(controller: "memory", file: "memory.limit_in_bytes", value: "\(limit)", field: .memoryLimit))
            }
            if let swap = memory.swap {
                writes.append(.init(controller: "memory", file: "memory.memsw.limit_in_bytes", value: "\(swap)",
                                    field: .memorySwap, optional: true))
            }
            if let reservation = memory.reservation {
                writes.append(.init(controller: "memory", file: "memory.soft_limit_in_bytes", value: "\(reservation)",
                                    field: .memoryReservation))
            }
        }
        if let cpu = resources.cpu {
            if let period = cpu.period {
                writes.append(.init(controller: "cpu", file: "cpu.cfs_period_us", value: "\(period)", field: .cpuPeriod))
            }
            if let quota = cpu.quota { writes.append(.init(controller: "cpu", file: "cpu.cfs_quota_us", value: "\(quota)", field: .cpuQuota)) }
            if let shares = cpu.shares, shares > 0 { writes.append(.init(controller: "cpu", file: "cpu.shares", value: "\(shares)", field: .cpuShares)) }
            if let cpus = cpu.cpus { writes.append(.init(controller: "cpuset", file: "cpuset.cpus", value: cpus, field: .cpus)) }
            if let mems = cpu.mems { writes.append(.init(controller: "cpuset", file: "cpuset.mems", value: mems, field: .mems)) }
        }
        for rule in DeviceRules.effective(resources.devices) {
            writes.append(.init(controller: "devices", file: rule.allow ? "devices.allow" : "devices.deny",
                                value: DeviceRules.spell(rule), field: .devices))
        }
        if let pids = resources.pids {
            writes.append(.init(controller: "pids", file: "pids.max", value: pids.limit > 0 ? "\(pids.limit)" : "max",
                                field: .pidsLimit))
        }
        return writes
    }

    static func statistics(of cgroup: Cgroup) throws -> CgroupStatistics {
        var stats = CgroupStatistics(memoryUsage: 0, memoryLimit: nil, cpuUsageNanoseconds: 0, pidsCurrent: 0, oomKills: 0)
        if let memory = cgroup.directories["memory"] {
            stats.memoryUsage = try CgroupFile.number(memory.appending("memory.usage_in_bytes"))
            let limit = try CgroupFile.number(memory.appending("memory.limit_in_bytes"))
            // "Unlimited" reads as a page-rounded Int64.max.
            stats.memoryLimit = limit >= 1 << 62 ? nil : limit
            stats.oomKills = try CgroupFile.number(memory.appending("memory.oom_control"), key: "oom_kill")
        }
        if let cpuacct = cgroup.directories["cpuacct"] {
            stats.cpuUsageNanoseconds = try CgroupFile.number(cpuacct.appending("cpuacct.usage"))
        }
        if let pids = cgroup.directories["pids"] {
            stats.pidsCurrent = try CgroupFile.number(pids.appending("pids.current"))
            stats.forksRefused = try CgroupFile.number(pids.appending("pids.events"), key: "max")
        }
        return stats
    }

    static func setFrozen(_ frozen: Bool, _ cgroup: Cgroup) throws {
        guard let freezer = cgroup.directories["freezer"] else {
            throw RuntimeError("cgroup \(quoted(cgroup.name)): the freezer controller is not mounted")
        }
        let state = frozen ? "FROZEN" : "THAWED"
        try CgroupFile.write(state, to: freezer.appending("freezer.state"))
        // Freezing takes effect asynchronously: FREEZING until every task has stopped.
        for _ in 0..<500 where try CgroupFile.read(freezer.appending("freezer.state")) != state {
            usleep(2_000)
        }
    }
}
