#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// One container's cgroup: the directories that hold its limits, created under minidock's
/// own `minidock` parent so nothing else on the host is ever written to.
///
/// On a v2 host that is one directory, `/sys/fs/cgroup/minidock/NAME`. On a v1 or hybrid host
/// each controller is its own hierarchy, so it is one directory per controller:
/// `/sys/fs/cgroup/memory/minidock/NAME`, `/sys/fs/cgroup/pids/minidock/NAME`, …
///
/// The lifecycle: `create` (directories and limit files), `add` the container's first process
/// before it execs, `statistics` while or after it runs, `remove` after it has exited.
public struct Cgroup: Sendable {
    public let name: String
    public let mode: CgroupMode
    /// Controller name → directory (v2: the single directory, under the key "").
    public let directories: [String: FilePath]

    /// The parent every minidock cgroup lives under.
    public static let parentName = "minidock"

    /// Create the cgroup and write its limits. On failure nothing is left behind. A value the
    /// kernel refuses is named in the error by `naming` (a flag and its value), else by its
    /// place in the spec.
    public static func create(name: String, resources: Spec.Resources?, mode: CgroupMode = .detect(),
                              root: FilePath = "/sys/fs/cgroup",
                              naming: @escaping ResourceNaming = { _ in nil }) throws -> Cgroup {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw RuntimeError("cgroup name \(quoted(name)): must be one path component")
        }
        switch mode {
        case .unified:
            return try CgroupV2.create(name: name, resources: resources ?? .init(), root: root, naming: naming)
        case .legacy, .hybrid:
            // A hybrid host's v2 tree has no controllers worth having (here: hugetlb only);
            // limits go to the v1 hierarchies.
            return try CgroupV1.create(name: name, resources: resources ?? .init(), root: root, mode: mode, naming: naming)
        }
    }

    /// Move `pid` into the cgroup. Done by the parent between clone and the child's exec,
    /// so the user's command is limited from its first instruction.
    public func add(_ pid: pid_t) throws {
        for directory in uniqueDirectories {
            try CgroupFile.write("\(pid)", to: directory.appending("cgroup.procs"))
        }
    }

    /// Usage for `stats`, and whether the OOM killer struck (Docker's `OOMKilled`).
    public func statistics() throws -> CgroupStatistics {
        mode == .unified ? try CgroupV2.statistics(of: self) : try CgroupV1.statistics(of: self)
    }

    /// Stop every process in the cgroup (for `pause`), and let them run again.
    public func freeze() throws {
        mode == .unified ? try CgroupV2.setFrozen(true, self) : try CgroupV1.setFrozen(true, self)
    }

    public func thaw() throws {
        mode == .unified ? try CgroupV2.setFrozen(false, self) : try CgroupV1.setFrozen(false, self)
    }

    /// The PIDs in the cgroup (from the first directory: every controller holds the same).
    public func processes() throws -> [pid_t] {
        guard let directory = uniqueDirectories.first else { return [] }
        return try CgroupFile.read(directory.appending("cgroup.procs"))
            .split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kill what is still inside (every process in it is the container's), then remove
    /// the directories — and the `minidock` parent too, when no other container uses it.
    public func remove() throws {
        if mode == .unified {
            try CgroupV2.killAll(self)
        } else {
            for pid in (try? processes()) ?? [] {
                try Syscall.call("kill", ["\(pid)", "SIGKILL"], subject: "\(pid)", tolerating: [.noSuchProcess]) {
                    kill(pid, SIGKILL)
                }
            }
        }
        var firstError: Error?
        for directory in uniqueDirectories {
            do { try CgroupFile.removeDirectory(directory) } catch { firstError = firstError ?? error }
            CgroupFile.removeParentIfUnused(directory.removingLastComponent())
        }
        if let firstError { throw firstError }
    }

    /// Directories without repeats: where cpu and cpuacct are mounted together, both
    /// names lead to the same directory.
    var uniqueDirectories: [FilePath] {
        var seen = Set<String>()
        return directories.keys.sorted().compactMap { key in
            let directory = directories[key]!
            return seen.insert(directory.string).inserted ? directory : nil
        }
    }
}

/// What `docker stats` and `docker inspect` need from a cgroup.
public struct CgroupStatistics: Equatable, Sendable {
    public var memoryUsage: UInt64
    /// nil when unlimited.
    public var memoryLimit: UInt64?
    public var cpuUsageNanoseconds: UInt64
    public var pidsCurrent: UInt64
    /// How many times the OOM killer killed a process in this cgroup.
    public var oomKills: UInt64
    /// How many fork/clone calls the pids limit refused (pids.events "max").
    public var forksRefused: UInt64 = 0

    public var oomKilled: Bool { oomKills > 0 }
}
